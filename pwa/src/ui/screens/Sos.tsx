import { useEffect, useState } from "preact/hooks";
import { observe, sendSos, type GeoPoint } from "../../data";
import { telLink } from "../../domain/maps";
import { DEFAULT_TZ } from "../../domain/time";
import { t } from "../../i18n";
import { getLocation } from "../../platform/geo";
import { Layout } from "../components/Layout";
import { useLive } from "../hooks";
import { saveError } from "../labels";

/** SOS: queued like any entry (sent first thing with signal), plus a call to the branch. */
export function Sos({ visitId }: { visitId?: string }) {
  const ctx = useLive(() => observe.context(), []);
  const pending = useLive(() => observe.pendingSos(), []);
  const [location, setLocation] = useState<GeoPoint | null | undefined>(undefined);
  const [message, setMessage] = useState("");
  const [alertId, setAlertId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const branchPhone = ctx?.branch?.phone ?? "";

  // Start locating at once so that the alert carries a position without waiting.
  useEffect(() => {
    let live = true;
    void getLocation(10_000).then((p) => live && setLocation(p));
    return () => {
      live = false;
    };
  }, []);

  const send = async () => {
    setBusy(true);
    try {
      setAlertId(await sendSos(location ?? null, message.trim(), visitId ?? null));
    } catch (err) {
      setError(saveError(err));
    } finally {
      setBusy(false);
    }
  };

  const queued = alertId !== null && (pending ?? []).some((e) => (e.args as { alert_id?: string }).alert_id === alertId);

  return (
    <Layout
      title={t("sos.title")}
      back={visitId ? `/visit/${visitId}` : "/"}
      tz={ctx?.branch?.timezone ?? DEFAULT_TZ}
      testId="sos-screen"
      actions={
        <>
          {branchPhone && (
            <a class="btn primary wide" href={telLink(branchPhone)} data-testid="call-branch">
              {t("sos.callBranch", { phone: branchPhone })}
            </a>
          )}
          <a class="btn wide" href="tel:110">
            {t("sos.callPolice")}
          </a>
        </>
      }
    >
      <div class="sos-main">
        <p>{t("sos.explain")}</p>
        {alertId === null ? (
          <>
            <label class="field">
              <span>{t("sos.message")}</span>
              <input name="message" value={message} onInput={(e) => setMessage(e.currentTarget.value)} />
            </label>
            <button type="button" class="btn danger sos-send" data-testid="sos-send" disabled={busy} onClick={() => void send()}>
              {t("sos.send")}
            </button>
          </>
        ) : (
          <p class={queued ? "problem danger" : "notice"} role="alert" data-testid="sos-state" data-queued={queued ? "1" : "0"}>
            {queued ? t("sos.queued") : t("sos.sent")}
          </p>
        )}
        {location && <p class="muted small">{t("sos.location", { lat: location.lat.toFixed(5), lon: location.lon.toFixed(5) })}</p>}
        {error && <p class="error" role="alert">{error}</p>}
      </div>
    </Layout>
  );
}
