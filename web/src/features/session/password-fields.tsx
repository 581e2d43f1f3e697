import { type FormEvent, useState } from "react";
import { ApiError } from "../../api.ts";
import { useLang } from "../../i18n/lang.ts";

/** One labelled password input of the session cards. */
export function PasswordInput(props: {
  label: string;
  name?: string;
  autoComplete: "current-password" | "new-password";
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <label>
      <span>{props.label}</span>
      <input
        name={props.name}
        type="password"
        autoComplete={props.autoComplete}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        required
      />
    </label>
  );
}

/**
 * A new password typed twice, as the change-password card and the set-password link ask for it: `submit` refuses
 * a mismatch before asking the server, and shows the server's refusal in the reader's language.
 */
export function useNewPassword(save: (password: string) => Promise<void>) {
  const { lang, t } = useLang();
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
      await save(next);
    } catch (err) {
      setError(err instanceof ApiError ? err.text(lang) : String(err));
    }
    setBusy(false);
  };

  const fields = (
    <>
      <PasswordInput label={t("session.newPassword")} autoComplete="new-password" value={next} onChange={setNext} />
      <PasswordInput
        label={t("session.repeatPassword")}
        autoComplete="new-password"
        value={repeat}
        onChange={setRepeat}
      />
    </>
  );
  return { submit, busy, error, fields };
}
