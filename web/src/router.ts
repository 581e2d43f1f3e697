import { type MouseEvent, useSyncExternalStore } from "react";

/**
 * The app's views are URL paths on the History API (the server answers index.html for any path outside /api).
 * Five views and no nested layouts do not need a router library: a path, a way to change it and a matcher.
 */

const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

if (typeof window !== "undefined") window.addEventListener("popstate", notify);

const currentPath = () => (typeof location === "undefined" ? "/" : location.pathname + location.search);

/** The current path with its query string; components re-render when it changes. */
export function usePath(): string {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    currentPath,
    () => "/",
  );
}

/** Goes to `path` (pushing a history entry, or replacing the current one). */
export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  if (path === currentPath()) return;
  if (opts.replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  notify();
}

/**
 * Matches `path` (query string ignored) against a pattern such as `/plans/:id`; returns the named parts, decoded,
 * or null.
 */
export function match(pattern: string, path: string): Record<string, string> | null {
  const parts = pattern.split("/").filter(Boolean);
  const actual = (path.split("?")[0] ?? "").split("/").filter(Boolean);
  if (parts.length !== actual.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const value = actual[i] as string;
    if (part.startsWith(":")) params[part.slice(1)] = decodeURIComponent(value);
    else if (part !== value) return null;
  }
  return params;
}

/** One query parameter of the current path. */
export function queryParam(path: string, name: string): string | null {
  const at = path.indexOf("?");
  return at < 0 ? null : new URLSearchParams(path.slice(at + 1)).get(name);
}

/** Click handler for an `<a href>` that stays in the app: plain left clicks navigate, others open as usual. */
export function followLink(e: MouseEvent<HTMLAnchorElement>): void {
  if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.currentTarget.target) return;
  e.preventDefault();
  navigate(e.currentTarget.getAttribute("href") ?? "/");
}
