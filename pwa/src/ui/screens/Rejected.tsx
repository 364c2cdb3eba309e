import { useEffect } from "preact/hooks";
import { markRejectedAsSeen, observe } from "../../data";
import { DEFAULT_TZ } from "../../domain/time";
import { formatDateTime, t, tMaybe } from "../../i18n";
import { Layout } from "../components/Layout";
import { useLive } from "../hooks";
import { reasonText } from "../labels";

/** Entries the server refused, with its reason: kept on the phone, never silently dropped. */
export function Rejected() {
  const list = useLive(() => observe.rejected(), []);
  const ctx = useLive(() => observe.context(), []);
  const tz = ctx?.branch?.timezone ?? DEFAULT_TZ;
  useEffect(() => {
    void markRejectedAsSeen();
  }, []);
  return (
    <Layout title={t("rejected.title")} back="/" tz={tz} testId="rejected">
      <p class="muted">{t("rejected.explain")}</p>
      {list && list.length === 0 && <p class="empty">{t("rejected.none")}</p>}
      {list && list.length > 0 && (
        <section class="card">
        <ul class="list">
          {list.map((r) => (
            <li key={r.id} data-testid="rejected-entry">
              <div class="spread">
                <strong>{tMaybe(`mutation.${r.name}`) ?? r.name}</strong>
                <span class="muted small">{formatDateTime(r.client_time, tz)}</span>
              </div>
              <div>{t("rejected.reason", { reason: reasonText(r.reason) })}</div>
              {r.args === null && (
                <div class="muted small" data-testid="rejected-purged">
                  {t("rejected.purged")}
                </div>
              )}
            </li>
          ))}
        </ul>
        </section>
      )}
    </Layout>
  );
}
