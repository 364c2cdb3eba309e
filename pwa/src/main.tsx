import { render } from "preact";
import { boot, loadLang, syncForRole } from "./data";
import { detectLang, setLang, t } from "./i18n";
import { initServiceWorker } from "./platform/sw";
import { App } from "./ui/App";
import "./ui/styles.css";

async function start(root: HTMLElement): Promise<void> {
  initServiceWorker();
  try {
    await boot();
  } catch (err) {
    // IndexedDB refused (private mode, broken profile): say so instead of a blank page.
    console.error("cannot open the local database", err);
    setLang(detectLang(undefined, navigator.languages));
    render(<p class="empty">{t("error.dbUnavailable")}</p>, root);
    return;
  }
  const lang = detectLang(await loadLang(), navigator.languages);
  setLang(lang);
  render(<App initialLang={lang} />, root);
  // Officers sync their phone; a manager's console fetches from the API instead.
  void syncForRole();
}

const root = document.getElementById("app");
if (root) void start(root);
