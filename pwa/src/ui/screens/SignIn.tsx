import { useState } from "preact/hooks";
import { ApiError, NetworkError, OtherOfficerPendingError, signIn, type Notice } from "../../data";
import { t } from "../../i18n";
import { navigate } from "../router";

function errorText(err: unknown): string {
  if (err instanceof OtherOfficerPendingError) return t("signin.error.otherOfficer", { user: err.username });
  if (err instanceof NetworkError) return t("signin.error.offline");
  if (err instanceof ApiError) {
    if (err.code === "PhoneBlocked") return t("signin.error.phoneBlocked");
    if (err.status === 401) return t("signin.error.credentials");
    if (err.status === 429) {
      const minutes = Math.max(1, Math.ceil((err.retryAfterMs ?? 60_000) / 60_000));
      return t("signin.error.tooMany", { minutes });
    }
    return t("signin.error.server");
  }
  return t("signin.error.server");
}

export function SignIn({ notice, username: known }: { notice: Notice | null; username: string | null }) {
  const [username, setUsername] = useState(known ?? "");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!username.trim() || !password) return;
    setBusy(true);
    setError(null);
    try {
      await signIn(username, password);
      navigate("/", true);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="screen signin" onSubmit={submit} data-testid="signin">
      <div class="brand">
        <img src="/icon-192.png" alt="" width={72} height={72} />
        <h1>{t("app.name")}</h1>
      </div>
      <main class="content">
        {notice && <p class="notice" role="status">{t(`signin.notice.${notice}`)}</p>}
        <label class="field">
          <span>{t("signin.username")}</span>
          <input
            name="username"
            autocomplete="username"
            autocapitalize="none"
            spellcheck={false}
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>{t("signin.password")}</span>
          <input
            type="password"
            name="password"
            autocomplete="current-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {error && <p class="error" role="alert">{error}</p>}
        <p class="muted small">{t("signin.firstTime")}</p>
      </main>
      <footer class="actions">
        <button type="submit" class="btn primary huge wide" disabled={busy || !username.trim() || !password}>
          {busy ? t("signin.busy") : t("signin.submit")}
        </button>
      </footer>
    </form>
  );
}
