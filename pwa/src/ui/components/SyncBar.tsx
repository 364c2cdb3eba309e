import { observe, syncNow } from "../../data";
import { formatDateTime, formatTime, t } from "../../i18n";
import { todayIn } from "../../domain/time";
import { checkForUpdate } from "../../platform/sw";
import { useLive, useOnline, useSyncState } from "../hooks";
import { navigate } from "../router";

function lastSyncLabel(iso: string | null, tz: string): string {
  if (!iso) return t("sync.never");
  const sameDay = iso && todayIn(tz) === todayIn(tz, new Date(iso));
  return t("sync.lastSync", { time: sameDay ? formatTime(iso, tz) : formatDateTime(iso, tz) });
}

/** Offline badge, entries waiting, last sync: the same strip on every screen. */
export function SyncBar({ tz }: { tz: string }) {
  const online = useOnline();
  const state = useSyncState();
  const counts = useLive(() => observe.syncCounts(), []);
  const pending = counts?.pending ?? 0;
  const offline = !online || state.problem === "offline";
  const problem = state.problem && state.problem !== "offline" && state.problem !== "wiped" ? state.problem : null;
  return (
    <>
      <div class="syncbar" data-testid="syncbar" data-problem={state.problem ?? ""} data-online={String(online)} aria-live="polite">
        <span class={offline ? "badge offline" : "badge online"} data-testid="net">
          {offline ? t("sync.offline") : t("sync.online")}
        </span>
        <span class={pending ? "badge pending" : "badge sent"} data-testid="pending" data-count={pending}>
          {pending ? t("sync.pending", { n: pending }) : t("sync.allSent")}
        </span>
        <span class="when" data-testid="last-sync">
          {state.running ? t("sync.syncing") : lastSyncLabel(counts?.lastSyncAt ?? null, tz)}
        </span>
      </div>
      {problem && (
        <div class={problem === "storage_full" || problem === "too_big" ? "problem danger" : "problem"} role="alert">
          <span>{t(`sync.problem.${problem}`)}</span>
          {problem === "signin" && (
            <button class="btn small" type="button" onClick={() => navigate("/signin")}>
              {t("sync.signInAgain")}
            </button>
          )}
          {problem === "upgrade" && (
            <button
              class="btn small"
              type="button"
              onClick={() => {
                checkForUpdate();
                location.reload();
              }}
            >
              {t("update.now")}
            </button>
          )}
          {problem === "server" && state.retryAt && (
            <button class="btn small" type="button" onClick={() => void syncNow()}>
              {t("sync.now")}
            </button>
          )}
        </div>
      )}
    </>
  );
}
