// Move a visit to another team's route, pinned there (the optimiser keeps it) by default.
import { useState } from "preact/hooks";
import { t } from "../../../i18n";
import { toast } from "../../../ui/toast";
import { consoleApi } from "../../api";
import { Dialog } from "../../components/Dialog";
import { useAction } from "../../hooks";
import type { VisitPublic } from "../../types";
import type { RouteView } from "./plan";

export function MoveDialog({
  visit,
  label,
  routes,
  onDone,
  onClose,
}: {
  visit: VisitPublic;
  label: string;
  routes: RouteView[];
  onDone: () => void;
  onClose: () => void;
}) {
  const current = visit.officer_ids.join("+");
  const [target, setTarget] = useState(current);
  const [pinned, setPinned] = useState(true);
  const action = useAction();
  const save = async () => {
    const route = routes.find((r) => r.key === target);
    if (!route) return;
    const ok = await action.run(() => consoleApi.assign(visit.id, route.summary.officer_ids, pinned));
    if (ok) {
      toast(t("console.plan.moved"));
      onDone();
    }
  };
  return (
    <Dialog title={t("console.plan.moveTitle", { name: label })} onClose={onClose} testId="move-dialog">
      <fieldset class="c-radio-list">
        <legend>{t("console.plan.moveTo")}</legend>
        {routes.map((r) => (
          <label key={r.key} class="c-check-line">
            <input type="radio" name="route" value={r.key} checked={target === r.key} onChange={() => setTarget(r.key)} data-route={r.key} />
            <span class="c-swatch" style={{ background: r.colour }} aria-hidden="true" />
            {r.name}
            {r.key === current && <span class="c-muted"> ({t("console.plan.current")})</span>}
          </label>
        ))}
      </fieldset>
      <label class="c-check-line">
        <input type="checkbox" checked={pinned} onChange={(e) => setPinned(e.currentTarget.checked)} name="pinned" />
        {t("console.plan.pin")}
      </label>
      {action.error && <p class="c-error" role="alert">{action.error}</p>}
      <div class="c-dialog-actions">
        <button type="button" class="c-btn" onClick={onClose}>
          {t("common.cancel")}
        </button>
        <button type="button" class="c-btn c-primary" disabled={action.busy} onClick={() => void save()} data-confirm="yes">
          {t("console.plan.assign")}
        </button>
      </div>
    </Dialog>
  );
}
