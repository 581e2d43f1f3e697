import { type FormEvent, useState } from "react";
import { ApiError, type Session, signIn } from "../../api.ts";
import { useLang } from "../../i18n/lang.ts";
import { LangSwitch } from "../../ui/lang-switch.tsx";
import { FormError, PasswordInput } from "./password-fields.tsx";

/** The sign-in card shown instead of the map until the server knows who is asking. */
export function SignInForm(props: { onSignedIn: (session: Session) => void }) {
  const { lang, t } = useLang();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      props.onSignedIn(await signIn(username.trim(), password));
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, "client", String(err), String(err)));
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form className="card" onSubmit={submit} data-testid="sign-in">
        <div className="card-head">
          <h1>{t("app.title")}</h1>
          <LangSwitch />
        </div>
        <p className="muted">{t("session.prompt")}</p>
        <label>
          <span>{t("session.username")}</span>
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </label>
        <PasswordInput
          label={t("session.password")}
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
        />
        <FormError text={error?.text(lang) ?? null} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t("session.signingIn") : t("session.signIn")}
        </button>
      </form>
    </main>
  );
}
