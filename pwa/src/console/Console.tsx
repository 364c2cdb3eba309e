// The branch manager's console: a desktop layout (1280-1920 px) with the left navigation.
// Loaded lazily (its own chunk) after a manager signs in; the officer's phone never loads it.
import { useEffect, useState } from "preact/hooks";
import { observe, signOut, type Lang } from "../data";
import { setLang, t } from "../i18n";
import { UpdateBanner } from "../ui/components/UpdateBanner";
import { useLive } from "../ui/hooks";
import { Toast } from "../ui/toast";
import { onBadge, refreshBadge, type BadgeCounts } from "./badge";
import { ConfirmDialog } from "./components/Dialog";
import { resetCaches, useBranch } from "./hooks";
import { Poller } from "./poll";
import { consoleHref, useConsoleRoute, type Section } from "./router";
import { AgreementsScreen } from "./screens/Agreements";
import { BorrowersScreen } from "./screens/borrowers/BorrowersScreen";
import { DevicesScreen } from "./screens/Devices";
import { ImportsScreen } from "./screens/Imports";
import { PlanScreen } from "./screens/plan/PlanScreen";
import { ReportsScreen } from "./screens/Reports";
import { FeedbackCallsScreen } from "./screens/FeedbackCalls";
import { ReviewScreen } from "./screens/Review";
import { SettingsScreen } from "./screens/Settings";
import { TodayScreen } from "./screens/Today";
import "./console.css";

const NAV: { section: Section; icon: string }[] = [
  { section: "plan", icon: "▦" },
  { section: "today", icon: "◉" },
  { section: "review", icon: "✓" },
  { section: "borrowers", icon: "⌂" },
  { section: "agreements", icon: "✎" },
  { section: "reports", icon: "▥" },
  { section: "feedback", icon: "☏" },
  { section: "devices", icon: "☎" },
  { section: "imports", icon: "⇪" },
  { section: "settings", icon: "⚙" },
];

function useBadge(): BadgeCounts {
  const [counts, setCounts] = useState<BadgeCounts>({ review: 0, agreements: 0, proposals: 0 });
  useEffect(() => onBadge(setCounts), []);
  useEffect(() => {
    const poller = new Poller({ intervalMs: 15_000, run: refreshBadge, win: window, doc: document });
    poller.start();
    return () => poller.stop();
  }, []);
  return counts;
}

export default function Console({ lang, onLang }: { lang: Lang; onLang: (lang: Lang) => void }) {
  const route = useConsoleRoute();
  const session = useLive(() => observe.session(), []);
  const branch = useBranch();
  const badge = useBadge();
  const [confirmOut, setConfirmOut] = useState(false);
  const waiting = badge.review + badge.agreements;

  useEffect(() => {
    document.title = `${t(`console.nav.${route.section}`)} · ${t("console.title")}`;
  }, [route.section, lang]);

  const doSignOut = async () => {
    setConfirmOut(false);
    resetCaches();
    await signOut();
    location.hash = "#/";
  };

  let screen;
  switch (route.section) {
    case "plan":
      screen = <PlanScreen params={route.params} />;
      break;
    case "review":
      screen = <ReviewScreen />;
      break;
    case "borrowers":
      screen = <BorrowersScreen params={route.params} />;
      break;
    case "agreements":
      screen = <AgreementsScreen />;
      break;
    case "reports":
      screen = <ReportsScreen />;
      break;
    case "feedback":
      screen = <FeedbackCallsScreen />;
      break;
    case "devices":
      screen = <DevicesScreen />;
      break;
    case "imports":
      screen = <ImportsScreen />;
      break;
    case "settings":
      screen = <SettingsScreen lang={lang} onLang={(l) => { setLang(l); onLang(l); }} />;
      break;
    default:
      screen = <TodayScreen params={route.params} />;
  }

  return (
    <div class="console" data-testid="console">
      <nav class="c-nav" aria-label={t("console.nav.label")}>
        <div class="c-brand">
          <img src="/icon-192.png" alt="" width={32} height={32} />
          <span>
            <strong>{t("app.name")}</strong>
            <small>{t("console.title")}</small>
          </span>
        </div>
        <ul>
          {NAV.map((item) => {
            const current = route.section === item.section;
            return (
              <li key={item.section}>
                <a
                  href={consoleHref(item.section)}
                  aria-current={current ? "page" : undefined}
                  class={current ? "current" : ""}
                  data-testid={`nav-${item.section}`}
                >
                  <span class="c-nav-icon" aria-hidden="true">
                    {item.icon}
                  </span>
                  <span class="c-nav-label">{t(`console.nav.${item.section}`)}</span>
                  {item.section === "review" && waiting > 0 && (
                    <span class="c-badge" data-testid="review-badge" aria-label={t("console.nav.waiting", { n: waiting })}>
                      {waiting}
                    </span>
                  )}
                  {item.section === "borrowers" && badge.proposals > 0 && (
                    <span class="c-badge" data-testid="proposals-badge" aria-label={t("console.nav.waiting", { n: badge.proposals })}>
                      {badge.proposals}
                    </span>
                  )}
                </a>
              </li>
            );
          })}
        </ul>
        <div class="c-me">
          <div class="c-me-name">{session?.user?.full_name}</div>
          <div class="c-muted c-me-branch">{branch?.name}</div>
          <button type="button" class="c-btn c-small" onClick={() => setConfirmOut(true)} data-testid="console-sign-out">
            {t("settings.signOut")}
          </button>
        </div>
      </nav>
      <div class="c-body">
        <UpdateBanner />
        <main class="c-main" id="main">
          {screen}
        </main>
      </div>
      {confirmOut && (
        <ConfirmDialog
          title={t("settings.signOut")}
          text={t("console.signOutConfirm")}
          yes={t("settings.signOutYes")}
          onYes={() => void doSignOut()}
          onNo={() => setConfirmOut(false)}
        />
      )}
      <Toast />
    </div>
  );
}
