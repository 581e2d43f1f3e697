import { type FormEvent, type ReactNode, useState } from "react";
import { type ApiError, toApiError } from "../api.ts";
import { useLang } from "../i18n/lang.ts";

/** An error line, read aloud when it appears: the server's refusal in the reader's language, or a text of our own. */
export function ErrorText(props: { error: ApiError | string | null | undefined; testId?: string }) {
  const { lang } = useLang();
  if (!props.error) return null;
  return (
    <p className="error-text" role="alert" data-testid={props.testId}>
      {typeof props.error === "string" ? props.error : props.error.text(lang)}
    </p>
  );
}

/** The foot of a dialog's form: the button that closes it unchanged, then the form's own buttons. */
export function FormActions(props: { onCancel: () => void; cancelLabel?: string; children: ReactNode }) {
  const { t } = useLang();
  return (
    <div className="card-actions">
      <button type="button" onClick={props.onCancel}>
        {props.cancelLabel ?? t("account.cancel")}
      </button>
      {props.children}
    </div>
  );
}

/**
 * A form that sends one request at a time: `run` marks it busy and clears the last error while `send` runs, and
 * keeps a failure as `error` (handed to `onError` too). After a success the form stays busy when `staysBusy` (a
 * dialog its caller closes: no second click gets through meanwhile), else it is free again.
 */
export function useRequest(options: { staysBusy?: boolean; onError?: (error: ApiError) => void } = {}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async (send: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await send();
      if (!options.staysBusy) setBusy(false);
    } catch (err) {
      const e = toApiError(err);
      setError(e);
      options.onError?.(e);
      setBusy(false);
    }
  };
  /** `run` as a form's submit handler: the browser does not load a page for it. */
  const submit = (send: () => Promise<void>) => (e: FormEvent) => {
    e.preventDefault();
    void run(send);
  };
  return { busy, error, setError, run, submit };
}
