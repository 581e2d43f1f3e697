import { type FormEvent, useState } from "react";
import { ApiError, changePassword, type Session } from "../../api.ts";
import { useLang } from "../../i18n/lang.ts";

/** The first sign-in of an account with an initial password ends here: the server lets it do nothing else. */
export function PasswordForm(props: { onChanged: (session: Session) => void; onCancel: () => void }) {
  const { lang, t } = useLang();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const [busy, setBusy] = useState(false);
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
      props.onChanged(await changePassword(current, next));
    } catch (err) {
      setError(err instanceof ApiError ? err.text(lang) : String(err));
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form className="card" onSubmit={submit} data-testid="password-change">
        <h1>{t("session.changeTitle")}</h1>
        <p className="muted">{t("session.changeWhy")}</p>
        <label>
          <span>{t("session.currentPassword")}</span>
          <input
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            required
          />
        </label>
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
          <button type="button" onClick={props.onCancel}>
            {t("session.signOut")}
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {t("session.change")}
          </button>
        </div>
      </form>
    </main>
  );
}
