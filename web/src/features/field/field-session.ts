import type { Session } from "../../api.ts";

const KEY = "gridatlas.field.session";

/** Accounts that work in the field: the field app is their home. */
export const worksInField = (session: Session) => session.account.roles.every((r) => r === "worker");

/**
 * Remembers a field worker's signed-in account on the phone, so that the app opened with no network still knows
 * who works on it (the session cookie itself is checked again by the server once the network returns).
 */
export function rememberSession(session: Session): void {
  try {
    localStorage.setItem(KEY, JSON.stringify({ ...session, csrf_token: "" }));
  } catch {
    // Storage blocked: the app still works online.
  }
}

/** The remembered session of a field worker, for a start with no network; null when there is none. */
export function rememberedSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function forgetSession(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // Nothing was stored.
  }
}
