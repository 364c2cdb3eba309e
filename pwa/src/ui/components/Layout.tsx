import type { ComponentChildren } from "preact";
import { DEFAULT_TZ } from "../../domain/time";
import { t } from "../../i18n";
import { goBack, navigate } from "../router";
import { SyncBar } from "./SyncBar";
import { UpdateBanner } from "./UpdateBanner";

interface LayoutProps {
  title: string;
  /** Where "back" goes when there is no history (e.g. opened from a link). */
  back?: string;
  /** Show the SOS button (visit screens); the value is the visit id or "". */
  sos?: string;
  tz?: string;
  actions?: ComponentChildren;
  children: ComponentChildren;
  testId?: string;
}

export function Layout({ title, back, sos, tz = DEFAULT_TZ, actions, children, testId }: LayoutProps) {
  return (
    <div class="screen" data-testid={testId}>
      <header class="top">
        {back !== undefined && (
          <button type="button" class="icon-btn" aria-label={t("common.back")} onClick={() => goBack(back)}>
            ‹
          </button>
        )}
        <h1>{title}</h1>
        {sos !== undefined && (
          <button
            type="button"
            class="sos-btn"
            data-testid="sos"
            onClick={() => navigate(sos ? `/sos?visit=${encodeURIComponent(sos)}` : "/sos")}
          >
            {t("visit.sos")}
          </button>
        )}
      </header>
      <SyncBar tz={tz} />
      <UpdateBanner />
      <main class="content">{children}</main>
      {actions && <footer class="actions">{actions}</footer>}
    </div>
  );
}
