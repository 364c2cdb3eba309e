import { useEffect, useState } from "preact/hooks";
import { t } from "../../i18n";
import { applyUpdate, onNeedRefresh } from "../../platform/sw";
import { useFormOpen } from "../hooks";

/** "New version ready — Reload": offered, never forced, and hidden while a form is open. */
export function UpdateBanner() {
  const [ready, setReady] = useState(false);
  const formOpen = useFormOpen();
  useEffect(() => onNeedRefresh(setReady), []);
  if (!ready || formOpen) return null;
  return (
    <div class="banner" role="status" data-testid="update-banner">
      <span>{t("update.ready")}</span>
      <button type="button" class="btn small primary" onClick={applyUpdate}>
        {t("update.reload")}
      </button>
    </div>
  );
}
