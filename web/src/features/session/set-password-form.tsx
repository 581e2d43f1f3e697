import { useState } from "react";
import { setPasswordByLink } from "../../api.ts";
import { useLang } from "../../i18n/lang.ts";
import { navigate } from "../../router.ts";
import { ErrorText } from "../../ui/form.tsx";
import { useNewPassword } from "./password-fields.tsx";

/**
 * The page of a one-time set-password link (`/set-password#<token>`) an admin handed over: no session needed.
 * The token stays in the fragment, which the browser never sends to the server or to anyone in a Referer.
 */
export function SetPasswordForm() {
  const { t } = useLang();
  const token = typeof location === "undefined" ? "" : location.hash.slice(1);
  const [done, setDone] = useState(false);
  const form = useNewPassword(async (next) => {
    await setPasswordByLink(token, next);
    setDone(true);
  });

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
      <form className="card" onSubmit={form.submit} data-testid="password-link">
        <h1>{t("passwordLink.title")}</h1>
        <p className="muted">{t("session.changeWhy")}</p>
        {form.fields}
        <ErrorText error={form.error} />
        <div className="card-actions">
          <button type="submit" className="primary" disabled={form.busy || !token}>
            {t("passwordLink.set")}
          </button>
        </div>
      </form>
    </main>
  );
}
