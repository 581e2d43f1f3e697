import { useEffect, useState } from "react";
import type { ApiError } from "../../api.ts";
import { useLang } from "../../i18n/lang.ts";

/** The server's refusal in the UI language: what was wrong and, when the server names it, which input. */
export function ErrorBox(props: { error: ApiError; hideField?: boolean }) {
  const { lang, t } = useLang();
  return (
    <div className="data-error" role="alert" data-testid="data-error" data-code={props.error.code}>
      <strong>{t("data.error")}</strong> {props.error.text(lang)}
      {props.error.field && !props.hideField && <span className="muted"> ({props.error.field})</span>}
    </div>
  );
}

/** A running request the server gives no progress for: a moving bar and the seconds it has taken so far. */
export function Working(props: { label: string; hint?: string }) {
  const { t } = useLang();
  const [started] = useState(() => Date.now());
  const [now, setNow] = useState(started);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, []);
  return (
    <div className="data-progress" role="status" aria-live="polite" data-testid="working">
      <progress />
      <span>
        {props.label} {t("data.elapsed", { s: Math.floor((now - started) / 1000) })}
        {props.hint && <span className="muted"> {props.hint}</span>}
      </span>
    </div>
  );
}
