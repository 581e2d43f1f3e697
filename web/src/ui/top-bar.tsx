import { type ReactNode, useRef } from "react";
import { useLang } from "../i18n/lang.ts";
import { useBottomVar } from "./bottom-var.ts";
import { LangSwitch } from "./lang-switch.tsx";
import { Nav, type NavEntry } from "./nav.tsx";

/**
 * The bar across the top of every view: the app's name, the views the account may open, the view's own controls,
 * the language switch and the account. `floating` lays it over a full-screen map.
 */
export function TopBar(props: {
  place?: string | undefined;
  nav: NavEntry[];
  children?: ReactNode;
  account: { username: string; display_name: string };
  /** `true`: end the account's sessions on every device, this one included. */
  onSignOut: (everywhere?: true) => void;
  floating?: boolean;
}) {
  const { t } = useLang();
  const header = useRef<HTMLElement>(null);
  const { floating } = props;
  // A floating toolbar wraps onto more lines on a narrow screen or beside a side panel; what floats under it (the
  // legend, tool bars, notices) reads where it ends from --toolbar-bottom instead of assuming one line.
  useBottomVar(header, "--toolbar-bottom", !!floating);
  return (
    <header ref={header} className={floating ? "toolbar" : "toolbar toolbar-static"}>
      <h1 className="toolbar-title">
        {t("app.title")}
        {props.place && <span className="toolbar-place">{props.place}</span>}
      </h1>
      <Nav entries={props.nav} />
      {props.children}
      <LangSwitch />
      <details className="toolbar-menu" data-testid="account-menu">
        <summary className="toolbar-button" title={props.account.username}>
          {props.account.display_name}
        </summary>
        <div className="toolbar-menu-panel">
          <p className="muted">
            <code>{props.account.username}</code>
          </p>
          <p className="muted">{t("session.signOutEverywhereWhy")}</p>
          <button
            type="button"
            className="toolbar-button"
            onClick={() => props.onSignOut(true)}
            data-testid="sign-out-everywhere"
          >
            {t("session.signOutEverywhere")}
          </button>
        </div>
      </details>
      <button type="button" className="toolbar-button" onClick={() => props.onSignOut()} data-testid="sign-out">
        {t("session.signOut")}
      </button>
    </header>
  );
}
