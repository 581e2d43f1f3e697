import { useState } from "react";
import { type Session, signIn } from "../../api.ts";
import { useLang } from "../../i18n/lang.ts";
import { ErrorText, useRequest } from "../../ui/form.tsx";
import { LangSwitch } from "../../ui/lang-switch.tsx";
import { PasswordInput } from "./password-fields.tsx";

/** The sign-in card shown instead of the map until the server knows who is asking. */
export function SignInForm(props: { onSignedIn: (session: Session) => void }) {
  const { t } = useLang();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const { busy, error, submit } = useRequest({ staysBusy: true });
  const signInNow = submit(async () => props.onSignedIn(await signIn(username.trim(), password)));

  return (
    <main className="sign-in">
      <form className="card" onSubmit={signInNow} data-testid="sign-in">
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
        <ErrorText error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t("session.signingIn") : t("session.signIn")}
        </button>
      </form>
    </main>
  );
}
