import type { ReactNode } from "react";

/** A message across the top of the screen; `role="alert"` so screen readers announce it. */
export function Banner(props: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <div className="banner" role="alert">
      <strong className="banner-title">{props.title}</strong>
      <span className="banner-text">{props.children}</span>
      {props.actions && <span className="banner-actions">{props.actions}</span>}
    </div>
  );
}
