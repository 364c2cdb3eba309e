import { useEffect, useState } from "preact/hooks";
import { observe, saveLang, signOut, syncNow, type Lang } from "../../data";
import { DEFAULT_TZ } from "../../domain/time";
import { formatDateTime, getLang, t } from "../../i18n";
import { ChipChoice } from "../components/Chips";
import { Layout } from "../components/Layout";
import { Confirm } from "../components/Sheet";
import { useLive, useSyncState } from "../hooks";
import { href, navigate } from "../router";

function useStorageEstimate(): string | null {
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    void navigator.storage?.estimate?.().then((e) => {
      if (e.usage !== undefined) setText(`${(e.usage / 1024 / 1024).toFixed(1)} MB`);
    });
  }, []);
  return text;
}

export function Settings({ onLang }: { onLang: (lang: Lang) => void }) {
  const holdings = useLive(() => observe.holdings(), []);
  const ctx = useLive(() => observe.context(), []);
  const session = useLive(() => observe.session(), []);
  const sync = useSyncState();
  const storage = useStorageEstimate();
  const [confirm, setConfirm] = useState(false);
  const tz = ctx?.branch?.timezone ?? DEFAULT_TZ;

  const changeLang = async (lang: Lang) => {
    await saveLang(lang);
    onLang(lang);
  };

  const doSignOut = async () => {
    setConfirm(false);
    await signOut();
    navigate("/signin", true);
  };

  return (
    <Layout
      title={t("settings.title")}
      back="/"
      tz={tz}
      testId="settings"
      actions={
        <>
          <button type="button" class="btn primary" disabled={sync.running} onClick={() => void syncNow()}>
            {t("sync.now")}
          </button>
          <button type="button" class="btn" data-testid="sign-out" onClick={() => setConfirm(true)}>
            {t("settings.signOut")}
          </button>
        </>
      }
    >
      <section class="card">
        <h2>{t("settings.language")}</h2>
        <ChipChoice
          name={t("settings.language")}
          value={getLang()}
          onChange={(v) => void changeLang(v as Lang)}
          options={[
            { value: "zh-CN", label: "中文" },
            { value: "en", label: "English" },
          ]}
        />
      </section>
      {session?.user && (
        <section class="card">
          <h2>{t("settings.account")}</h2>
          <p>
            {session.user.full_name} <span class="muted">({session.user.username})</span>
          </p>
          {ctx?.branch && <p class="muted small">{ctx.branch.name}</p>}
        </section>
      )}
      {holdings && (
        <section class="card" data-testid="holdings">
          <h2>{t("settings.device")}</h2>
          <dl class="kv">
            <dt>{t("settings.count.visit")}</dt>
            <dd>{holdings.counts.visit ?? 0}</dd>
            <dt>{t("settings.count.borrower")}</dt>
            <dd>{holdings.counts.borrower ?? 0}</dd>
            <dt>{t("settings.count.promise")}</dt>
            <dd>{holdings.counts.promise ?? 0}</dd>
            <dt>{t("settings.count.agreement")}</dt>
            <dd>{holdings.counts.agreement ?? 0}</dd>
            <dt>{t("settings.pending")}</dt>
            <dd data-testid="holdings-pending">{holdings.pending}</dd>
            <dt>
              <a href={href("/rejected")}>{t("settings.rejected")}</a>
            </dt>
            <dd>{holdings.rejected}</dd>
            <dt>{t("settings.lastSync")}</dt>
            <dd>{holdings.lastSyncAt ? formatDateTime(holdings.lastSyncAt, tz) : t("sync.never")}</dd>
            <dt>{t("settings.expires")}</dt>
            <dd data-testid="expires">{holdings.expiresAt ? formatDateTime(holdings.expiresAt, tz) : "—"}</dd>
            {storage && (
              <>
                <dt>{t("settings.storage")}</dt>
                <dd>{storage}</dd>
              </>
            )}
            <dt>{t("settings.deviceId")}</dt>
            <dd class="small">{holdings.deviceId?.slice(0, 8) ?? "—"}</dd>
          </dl>
        </section>
      )}
      {confirm && (
        <Confirm
          text={holdings && holdings.pending > 0 ? t("settings.signOutPending", { n: holdings.pending }) : t("settings.confirmSignOut")}
          yes={t("settings.signOutYes")}
          danger={!!holdings && holdings.pending > 0}
          onYes={() => void doSignOut()}
          onNo={() => setConfirm(false)}
        />
      )}
    </Layout>
  );
}
