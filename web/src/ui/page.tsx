import { type ReactNode, useEffect, useId, useRef } from "react";

/** A scrolling page (tables, forms) under the app's top bar, for views that are not a map. */
export function Page(props: {
  bar: ReactNode;
  title: string;
  actions?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <div className="page" data-testid={props.testId}>
      {props.bar}
      <main className="page-body">
        <header className="page-head">
          <h2 className="page-title">{props.title}</h2>
          {props.actions && <div className="page-actions">{props.actions}</div>}
        </header>
        {props.children}
      </main>
    </div>
  );
}

/** A modal card over the page; Escape or the close button ends it. */
export function Dialog(props: {
  title: string;
  onClose: () => void;
  closeLabel: string;
  children: ReactNode;
  testId?: string;
  wide?: boolean;
}) {
  useEscape(props.onClose);
  return (
    <div className="dialog-backdrop" role="presentation">
      <div
        className={props.wide ? "dialog dialog-wide" : "dialog"}
        role="dialog"
        aria-modal="true"
        aria-label={props.title}
        data-testid={props.testId}
      >
        <header className="dialog-head">
          <h3>{props.title}</h3>
          <button type="button" className="panel-close" onClick={props.onClose} aria-label={props.closeLabel}>
            ×
          </button>
        </header>
        {props.children}
      </div>
    </div>
  );
}

/** Calls the latest `onEscape` whenever Escape is pressed, for as long as the component is there. */
export function useEscape(onEscape: () => void): void {
  const latest = useRef(onEscape);
  latest.current = onEscape;
  useEffect(() => {
    const key = (e: KeyboardEvent) => {
      if (e.key === "Escape") latest.current();
    };
    window.addEventListener("keydown", key);
    return () => window.removeEventListener("keydown", key);
  }, []);
}

/** A form field with its label and, under it, the server's complaint about it; `children` gets the input's id. */
export function Field(props: {
  label: string;
  error?: string | undefined;
  children: (id: string) => ReactNode;
  hint?: string;
}) {
  const id = useId();
  return (
    <div className={props.error ? "field field-error" : "field"}>
      <label className="field-label" htmlFor={id}>
        {props.label}
      </label>
      {props.children(id)}
      {props.hint && !props.error && <span className="field-hint">{props.hint}</span>}
      {props.error && (
        <span className="field-message" role="alert">
          {props.error}
        </span>
      )}
    </div>
  );
}
