import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
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

/** Publish the action bar's height (--actions-h) so messages float just above it. */
function useActionsHeight() {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    const root = document.documentElement.style;
    const el = ref.current;
    if (!el) {
      root.setProperty("--actions-h", "0px");
      return;
    }
    const update = () => root.setProperty("--actions-h", `${el.offsetHeight}px`);
    update();
    const observer = typeof ResizeObserver === "function" ? new ResizeObserver(update) : null;
    observer?.observe(el);
    return () => observer?.disconnect();
  });
  return ref;
}

export function Layout({ title, back, sos, tz = DEFAULT_TZ, actions, children, testId }: LayoutProps) {
  const actionsRef = useActionsHeight();
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
      {actions && (
        <footer class="actions" ref={actionsRef}>
          {actions}
        </footer>
      )}
    </div>
  );
}
