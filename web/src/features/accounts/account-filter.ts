import type { Account } from "../../api.ts";

export type AccountStatus = "active" | "disabled" | "must_change";

/** What the accounts page narrows its list by; empty strings mean "any". */
export type AccountFilter = {
  /** Part of the username or display name, any case. */
  text: string;
  role: "" | Account["roles"][number]["role"];
  /** A community code: its secretaries and the workers of its staff. */
  community: string;
  status: "" | AccountStatus;
};

export const NO_FILTER: AccountFilter = { text: "", role: "", community: "", status: "" };

export function statusOf(a: Pick<Account, "disabled" | "must_change_password">): AccountStatus {
  if (a.disabled) return "disabled";
  return a.must_change_password ? "must_change" : "active";
}

/**
 * The accounts the filter lets through, in their order. `workerCommunity` gives the community of a worker record,
 * so a worker's account belongs to the community its staff record does.
 */
export function filterAccounts(
  accounts: readonly Account[],
  f: AccountFilter,
  workerCommunity: ReadonlyMap<number, string>,
): Account[] {
  const text = f.text.trim().toLocaleLowerCase();
  return accounts.filter((a) => {
    if (text && !a.username.toLocaleLowerCase().includes(text) && !a.display_name.toLocaleLowerCase().includes(text))
      return false;
    if (f.role && !a.roles.some((g) => g.role === f.role)) return false;
    if (f.status && statusOf(a) !== f.status) return false;
    if (f.community) {
      const inCommunity = a.roles.some(
        (g) =>
          ("community_code" in g && g.community_code === f.community) ||
          ("worker_id" in g && workerCommunity.get(g.worker_id) === f.community),
      );
      if (!inCommunity) return false;
    }
    return true;
  });
}
