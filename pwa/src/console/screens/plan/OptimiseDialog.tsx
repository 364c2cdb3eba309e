// Re-optimise: keep each team's area (default) or a fresh plan (`fresh: true`).
import { useState } from "preact/hooks";
import { t } from "../../../i18n";
import { Dialog } from "../../components/Dialog";

export function OptimiseDialog({ busy, error, onGo, onClose }: { busy: boolean; error: string | null; onGo: (fresh: boolean) => void; onClose: () => void }) {
  const [fresh, setFresh] = useState(false);
  return (
    <Dialog title={t("console.plan.optimise")} onClose={onClose} testId="optimise-dialog">
      <fieldset class="c-radio-list">
        <legend>{t("console.plan.optimiseHow")}</legend>
        <label class="c-check-line">
          <input type="radio" name="optimise_mode" value="keep" checked={!fresh} onChange={() => setFresh(false)} data-testid="optimise-keep" />
          <span>
            <strong>{t("console.plan.keepAreas")}</strong>
            <br />
            <small class="c-muted">{t("console.plan.keepAreasHint")}</small>
          </span>
        </label>
        <label class="c-check-line">
          <input type="radio" name="optimise_mode" value="fresh" checked={fresh} onChange={() => setFresh(true)} data-testid="optimise-fresh" />
          <span>
            <strong>{t("console.plan.freshPlan")}</strong>
            <br />
            <small class="c-muted">{t("console.plan.freshHint")}</small>
          </span>
        </label>
      </fieldset>
      {error && (
        <p class="c-error" role="alert">
          {error}
        </p>
      )}
      <div class="c-dialog-actions">
        <button type="button" class="c-btn" onClick={onClose}>
          {t("common.cancel")}
        </button>
        <button type="button" class="c-btn c-primary" disabled={busy} onClick={() => onGo(fresh)} data-confirm="yes">
          {t("console.plan.optimise")}
        </button>
      </div>
    </Dialog>
  );
}
