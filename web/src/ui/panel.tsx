import type { ReactNode } from "react";

/** A side panel over the right edge of the map with a heading and a close button. */
export function Panel(props: {
  title: ReactNode;
  subtitle?: ReactNode;
  closeLabel: string;
  onClose: () => void;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <aside
      className="panel"
      aria-label={typeof props.title === "string" ? props.title : undefined}
      data-testid={props.testId}
    >
      <header className="panel-header">
        <div>
          <h2 className="panel-title">{props.title}</h2>
          {props.subtitle && <div className="panel-subtitle">{props.subtitle}</div>}
        </div>
        <button
          type="button"
          className="panel-close"
          onClick={props.onClose}
          aria-label={props.closeLabel}
          title={props.closeLabel}
        >
          ×
        </button>
      </header>
      <div className="panel-body">{props.children}</div>
    </aside>
  );
}

/** A row of label and value in a panel's table of figures. */
export function Stat(props: { label: string; value: ReactNode; testId?: string }) {
  return (
    <div className="stat">
      <dt>{props.label}</dt>
      <dd data-testid={props.testId}>{props.value}</dd>
    </div>
  );
}
