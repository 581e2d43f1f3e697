import { useEffect, useState } from "react";
import type { ApiError } from "../../api.ts";
import { useLang } from "../../i18n/lang.ts";
import { crsChoices } from "./import-options.ts";

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

/**
 * The CRS a file is read in, overriding what it declares (a wrong or missing .prj) or what the guesser made of its
 * coordinates; "" keeps the file's own or the guess.
 */
export function CrsSelect(props: { value: string; onChange: (crs: string | undefined) => void; testId?: string }) {
  const { lang, t } = useLang();
  return (
    <label className="data-row">
      <span>{t("import.file.crsOverride")}</span>
      <select
        value={props.value}
        onChange={(e) => props.onChange(e.target.value || undefined)}
        data-testid={props.testId ?? "crs-select"}
      >
        <option value="">{t("import.file.crsAuto")}</option>
        {crsChoices().map((c) => (
          <option key={c.crs} value={c.crs}>
            {c[lang]} · {c.crs}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The text encoding of a Shapefile without .cpg or of a CSV; "" keeps what was found (`found`). */
export function EncodingSelect(props: {
  value: string;
  found: string | null;
  onChange: (encoding: "UTF-8" | "GBK" | undefined) => void;
  testId?: string;
}) {
  const { t } = useLang();
  return (
    <label className="data-row">
      <span>{t("import.file.encoding")}</span>
      <select
        value={props.value}
        onChange={(e) => props.onChange((e.target.value || undefined) as "UTF-8" | "GBK" | undefined)}
        data-testid={props.testId}
      >
        <option value="">
          {t("import.file.encodingAuto", {
            encoding: props.found === "from .cpg" ? t("import.file.fromCpg") : (props.found ?? "?"),
          })}
        </option>
        <option value="UTF-8">UTF-8</option>
        <option value="GBK">GBK</option>
      </select>
    </label>
  );
}
