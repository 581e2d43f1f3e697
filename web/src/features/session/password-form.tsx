import { useState } from "react";
import { changePassword, type Session } from "../../api.ts";
import { useLang } from "../../i18n/lang.ts";
import { ErrorText } from "../../ui/form.tsx";
import { PasswordInput, useNewPassword } from "./password-fields.tsx";

/** The first sign-in of an account with an initial password ends here: the server lets it do nothing else. */
export function PasswordForm(props: { onChanged: (session: Session) => void; onCancel: () => void }) {
  const { t } = useLang();
  const [current, setCurrent] = useState("");
  const form = useNewPassword(async (next) => props.onChanged(await changePassword(current, next)));

  return (
    <main className="sign-in">
      <form className="card" onSubmit={form.submit} data-testid="password-change">
        <h1>{t("session.changeTitle")}</h1>
        <p className="muted">{t("session.changeWhy")}</p>
        <PasswordInput
          label={t("session.currentPassword")}
          autoComplete="current-password"
          value={current}
          onChange={setCurrent}
        />
        {form.fields}
        <ErrorText error={form.error} />
        <div className="card-actions">
          <button type="button" onClick={props.onCancel}>
            {t("session.signOut")}
          </button>
          <button type="submit" className="primary" disabled={form.busy}>
            {t("session.change")}
          </button>
        </div>
      </form>
    </main>
  );
}
