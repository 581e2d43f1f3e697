import { followLink } from "../router.ts";

export type NavEntry = { href: string; label: string; active: boolean; testId: string };

/** The app's views the signed-in account may open; the app decides which by role. */
export function Nav(props: { entries: NavEntry[] }) {
  return (
    <nav className="nav" data-testid="nav">
      {props.entries.map((e) => (
        <a
          key={e.href}
          href={e.href}
          className={e.active ? "nav-link nav-active" : "nav-link"}
          aria-current={e.active ? "page" : undefined}
          data-testid={e.testId}
          onClick={followLink}
        >
          {e.label}
        </a>
      ))}
    </nav>
  );
}
