import { type FormEvent, useState } from "react";
import { ApiError, setPasswordByLink } from "../../api.ts";
import { useLang } from "../../i18n/lang.ts";
import { navigate } from "../../router.ts";

/**
 * The page of a one-time set-password link (`/set-password#<token>`) an admin handed over: no session needed.
 * The token stays in the fragment, which the browser never sends to the server or to anyone in a Referer.
 */
export function SetPasswordForm() {
  const { lang, t } = useLang();
  const token = typeof location === "undefined" ? "" : location.hash.slice(1);
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (next !== repeat) {
      setError(t("session.mismatch"));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await setPasswordByLink(token, next);
      setDone(true);
    } catch (err) {
      setError(err instanceof ApiError ? err.text(lang) : String(err));
    }
    setBusy(false);
  };

  if (done) {
    return (
      <main className="sign-in">
        <div className="card" data-testid="password-set">
          <h1>{t("passwordLink.doneTitle")}</h1>
          <p>{t("passwordLink.done")}</p>
          <button type="button" className="primary" onClick={() => navigate("/", { replace: true })}>
            {t("passwordLink.toSignIn")}
          </button>
        </div>
      </main>
    );
  }
  return (
    <main className="sign-in">
      <form className="card" onSubmit={submit} data-testid="password-link">
        <h1>{t("passwordLink.title")}</h1>
        <p className="muted">{t("session.changeWhy")}</p>
        <label>
          <span>{t("session.newPassword")}</span>
          <input
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
            required
          />
        </label>
        <label>
          <span>{t("session.repeatPassword")}</span>
          <input
            type="password"
            autoComplete="new-password"
            value={repeat}
            onChange={(e) => setRepeat(e.target.value)}
            required
          />
        </label>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        <div className="card-actions">
          <button type="submit" className="primary" disabled={busy || !token}>
            {t("passwordLink.set")}
          </button>
        </div>
      </form>
    </main>
  );
}
