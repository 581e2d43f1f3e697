import { describe, expect, it } from "vitest";
import type { Account } from "../../api.ts";
import { type AccountFilter, filterAccounts, NO_FILTER } from "./account-filter.ts";

const account = (id: number, username: string, display_name: string, roles: Account["roles"], extra = {}): Account => ({
  id,
  username,
  display_name,
  disabled: false,
  must_change_password: false,
  awaiting_link: false,
  version: 1,
  created_at: "2026-12-01T00:00:00Z",
  roles,
  ...extra,
});

const accounts = [
  account(1, "admin", "管理员", [{ role: "admin" }]),
  account(2, "secretary-150571003001", "胜利社区书记", [{ role: "secretary", community_code: "150571003001" }]),
  account(3, "worker-7", "王芳", [{ role: "worker", worker_id: 7 }], { must_change_password: true }),
  account(4, "worker-8", "李强", [{ role: "worker", worker_id: 8 }], { disabled: true }),
  account(5, "leader", "街道领导", [{ role: "leader" }, { role: "secretary", community_code: "150571003002" }]),
];
const workerCommunity = new Map([
  [7, "150571003001"],
  [8, "150571003002"],
]);
const ids = (f: Partial<AccountFilter>) =>
  filterAccounts(accounts, { ...NO_FILTER, ...f }, workerCommunity).map((a) => a.id);

describe("the accounts page's filter", () => {
  it("lets everything through when empty", () => {
    expect(ids({})).toEqual([1, 2, 3, 4, 5]);
  });
  it("finds by part of the username or the display name, any case", () => {
    expect(ids({ text: "WORKER" })).toEqual([3, 4]);
    expect(ids({ text: " 王 " })).toEqual([3]);
    expect(ids({ text: "nobody" })).toEqual([]);
  });
  it("narrows by role, including accounts that hold it beside others", () => {
    expect(ids({ role: "secretary" })).toEqual([2, 5]);
    expect(ids({ role: "worker" })).toEqual([3, 4]);
  });
  it("narrows by community: its secretaries and the accounts of its workers", () => {
    expect(ids({ community: "150571003001" })).toEqual([2, 3]);
    expect(ids({ community: "150571003002" })).toEqual([4, 5]);
  });
  it("narrows by status, and combines every filter", () => {
    expect(ids({ status: "disabled" })).toEqual([4]);
    expect(ids({ status: "must_change" })).toEqual([3]);
    expect(ids({ status: "active" })).toEqual([1, 2, 5]);
    expect(ids({ role: "worker", community: "150571003001", status: "must_change", text: "worker-7" })).toEqual([3]);
    expect(ids({ role: "worker", community: "150571003001", status: "disabled" })).toEqual([]);
  });
});
