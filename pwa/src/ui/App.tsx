import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { isManagerRole, observe, type Lang } from "../data";
import { setLang, t } from "../i18n";
import { useLive } from "./hooks";
import { navigate, useRoute } from "./router";
import { AgreementView } from "./screens/AgreementView";
import { Borrower } from "./screens/Borrower";
import { ChangeRequest } from "./screens/ChangeRequest";
import { Note } from "./screens/Note";
import { Outcome } from "./screens/Outcome";
import { PromiseForm } from "./screens/PromiseForm";
import { Rejected } from "./screens/Rejected";
import { Settings } from "./screens/Settings";
import { SignIn } from "./screens/SignIn";
import { Sos } from "./screens/Sos";
import { Today } from "./screens/Today";
import { Visit } from "./screens/Visit";
import { dismissStaleToast, Toast } from "./toast";

function Loading() {
  return <p class="empty">{t("common.loading")}</p>;
}

/** The agreement screen carries signature_pad: load it only when it is opened. */
function LazyAgreementNew({ id }: { id: string }) {
  const [Screen, setScreen] = useState<ComponentType<{ id: string }> | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    import("./screens/AgreementNew").then(
      (m) => setScreen(() => m.default),
      () => setFailed(true),
    );
  }, []);
  if (failed) return <p class="empty">{t("error.generic")}</p>;
  return Screen ? <Screen id={id} /> : <Loading />;
}

type ConsoleProps = { lang: Lang; onLang: (lang: Lang) => void };

/**
 * The manager's console: a separate chunk (with its own CSS; the map and charts are lazier
 * still), so an officer's phone never downloads it.
 */
function LazyConsole(props: ConsoleProps) {
  const [Screen, setScreen] = useState<ComponentType<ConsoleProps> | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    import("../console/Console").then(
      (m) => setScreen(() => m.default),
      (err: unknown) => {
        console.error("console failed to load", err);
        setFailed(true);
      },
    );
  }, []);
  if (failed) {
    // Offline, or a newer version replaced the files: reloading fetches the current one.
    return (
      <div class="empty" role="alert">
        <p>{t("console.loadFailed")}</p>
        <button type="button" class="btn primary" onClick={() => location.reload()}>
          {t("update.reload")}
        </button>
      </div>
    );
  }
  return Screen ? <Screen {...props} /> : <Loading />;
}

export function App({ initialLang }: { initialLang: Lang }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const route = useRoute();
  const session = useLive(() => observe.session(), []);

  const changeLang = (next: Lang) => {
    setLang(next);
    setLangState(next);
  };

  useEffect(() => {
    if (session?.signedIn && route.name === "signin") navigate("/", true);
  }, [session?.signedIn, route.name]);
  useEffect(dismissStaleToast, [route]);

  if (session === undefined) return <Loading />;

  if (session.signedIn && isManagerRole(session.user?.role)) {
    return (
      <div key={lang}>
        <LazyConsole lang={lang} onLang={changeLang} />
      </div>
    );
  }

  let screen;
  if (!session.signedIn) {
    screen = <SignIn notice={session.notice} username={session.deviceUser} />;
  } else {
    switch (route.name) {
      case "visit":
        screen = <Visit id={route.id} />;
        break;
      case "outcome":
        screen = <Outcome id={route.id} />;
        break;
      case "promise":
        screen = <PromiseForm id={route.id} />;
        break;
      case "change":
        screen = <ChangeRequest id={route.id} />;
        break;
      case "note":
        screen = <Note id={route.id} />;
        break;
      case "agreementNew":
        screen = <LazyAgreementNew id={route.id} />;
        break;
      case "agreement":
        screen = <AgreementView id={route.id} />;
        break;
      case "borrower":
        screen = <Borrower id={route.id} />;
        break;
      case "sos":
        screen = <Sos visitId={route.visitId} />;
        break;
      case "settings":
        screen = <Settings onLang={changeLang} />;
        break;
      case "rejected":
        screen = <Rejected />;
        break;
      default:
        screen = <Today date={route.name === "today" ? route.date : undefined} />;
    }
  }
  // Keyed by language so that every string is rendered again after a switch.
  return (
    <div key={lang}>
      {screen}
      <Toast />
    </div>
  );
}
