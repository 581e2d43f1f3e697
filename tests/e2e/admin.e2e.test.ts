import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { saveScreenshot } from "../support/browser.ts";
import { useE2e } from "../support/e2e.ts";
import { signIn, signOut } from "../support/pages.ts";

const TIMEOUT_MS = 120_000;
const NEW_USER = "planner-li";
const INITIAL_PASSWORD = "Chushi-2026!";
const OWN_PASSWORD = "Wode-mima-2026";
/** The set-password link the admin was shown, for the next test to open. */
let link = "";

const e2e = useE2e("e2eadmin");

/** What the server answers to a change made with this browser's session (its cookie and CSRF token). */
function tryChange(page: Page, method: string, url: string, body: unknown): Promise<number> {
  return page.evaluate(
    async ({ method, url, body }) => {
      const session = await (await fetch("/api/session")).json();
      const res = await fetch(url, {
        method,
        headers: { "content-type": "application/json", "x-csrf-token": session.csrf_token },
        body: JSON.stringify(body),
      });
      return res.status;
    },
    { method, url, body },
  );
}

describe("accounts and the audit trail, in Debian's Chromium", () => {
  it("lets the admin find accounts, create a planner and hand over its one-time set-password link", {
    timeout: TIMEOUT_MS,
  }, async () => {
    const { page } = e2e.browser;
    await page.goto(`${e2e.server.url}/admin/accounts`);
    await signIn(page, "admin");
    const table = page.getByTestId("accounts-table");
    await table.waitFor();
    expect(await page.getByTestId("nav-accounts").getAttribute("aria-current")).toBe("page");
    const { rows } = await e2e.db.query<{ n: number }>("select count(*)::int as n from account");
    expect(await table.locator("tbody tr").count()).toBe(rows[0]!.n);

    // Among 136+ accounts: by text, then by role and community together, as the database counts them.
    const filters = page.getByTestId("account-filters");
    await page.getByTestId("account-search").fill("worker-1");
    const byText = await e2e.db.query<{ n: number }>(
      "select count(*)::int n from account where username ilike '%worker-1%' or display_name ilike '%worker-1%'",
    );
    await page.waitForFunction(
      (n) => document.querySelectorAll("[data-testid=accounts-table] tbody tr").length === n,
      byText.rows[0]!.n,
    );
    await page.getByTestId("account-search").fill("");
    const community = "150571003003";
    await filters.locator("select[name=role]").selectOption("worker");
    await filters.locator("select[name=community]").selectOption(community);
    const byScope = await e2e.db.query<{ username: string }>(
      `select distinct a.username from account a join account_role r on r.account_id = a.id
        join worker w on w.id = r.worker_id where r.role = 'worker' and w.community_code = $1 order by 1`,
      [community],
    );
    expect(byScope.rows.length).toBeGreaterThan(0);
    await page.waitForFunction(
      (n) => document.querySelectorAll("[data-testid=accounts-table] tbody tr").length === n,
      byScope.rows.length,
    );
    const listed = await table.locator("tbody tr").evaluateAll((r) => r.map((x) => x.getAttribute("data-username")));
    expect(listed.sort()).toEqual(byScope.rows.map((r) => r.username).sort());
    expect(await page.getByTestId("account-count").textContent()).toBe(
      `显示 ${byScope.rows.length} / ${rows[0]!.n} 个账号`,
    );
    await saveScreenshot(page, "admin-accounts-filtered");
    await filters.getByRole("button", { name: "清除筛选" }).click();

    await page.getByTestId("account-create").click();
    const dialog = page.getByTestId("account-dialog");
    // No password to type: the admin never handles it.
    expect(await dialog.locator("input[type=password]").count()).toBe(0);
    await dialog.locator("input[name=username]").fill("Li Gui");
    await dialog.locator("input[name=display_name]").fill("李规划");
    await dialog.getByTestId("grant-planner").check();
    await dialog.getByTestId("account-save").click();
    // The server's complaint sits under the username input, in Chinese.
    const complaint = dialog.locator(".field-error .field-message");
    await complaint.waitFor();
    expect(await complaint.textContent()).toMatch(/^username：/);
    await saveScreenshot(page, "admin-create-error");

    await dialog.locator("input[name=username]").fill(NEW_USER);
    await dialog.getByTestId("account-save").click();
    await dialog.waitFor({ state: "detached" });
    const shown = page.getByTestId("link-dialog");
    await shown.waitFor();
    link = await page.getByTestId("set-password-url").inputValue();
    expect(link).toMatch(new RegExp(`^${e2e.server.url}/set-password#[\\w-]{40,}$`));
    const issued = await e2e.db.query<{ n: number }>(
      "select count(*)::int n from password_link l join account a on a.id = l.account_id where a.username = $1",
      [NEW_USER],
    );
    expect(issued.rows[0]!.n).toBe(1);
    await saveScreenshot(page, "admin-set-password-link");
    await shown.getByRole("button", { name: "我已记下，关闭" }).click();
    await shown.waitFor({ state: "detached" });

    const row = table.locator(`tr[data-username="${NEW_USER}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain("规划员");
    // Created by a link not yet used: awaiting activation, not "must change the initial password" (issue 17).
    expect(await row.textContent()).toContain("待激活");
    expect(await row.textContent()).not.toContain("待修改初始密码");
    await saveScreenshot(page, "admin-accounts");

    // A worker record is granted by name from the community's staff; the list then names the worker.
    const { rows: staff } = await e2e.db.query<{ id: number; name: string; community_code: string }>(
      "select id, name, community_code from worker where role = 'grid_worker' order by id limit 1",
    );
    const worker = staff[0]!;
    await row.getByRole("button", { name: "编辑" }).click();
    const edit = page.getByTestId("account-dialog");
    await edit.getByTestId("grant-community").selectOption(worker.community_code);
    await edit.getByTestId("grant-worker").selectOption(String(worker.id));
    await edit.getByTestId("grant-add-worker").click();
    await edit.getByTestId("account-save").click();
    await edit.waitFor({ state: "detached" });
    await row.filter({ hasText: worker.name }).waitFor();
    const granted = await e2e.db.query<{ worker_id: number }>(
      `select r.worker_id from account_role r join account a on a.id = r.account_id
        where a.username = $1 and r.role = 'worker'`,
      [NEW_USER],
    );
    expect(granted.rows).toEqual([{ worker_id: worker.id }]);
    await row.scrollIntoViewIfNeeded();
    await saveScreenshot(page, "admin-worker-granted");

    // The account menu of the top bar signs out everywhere: every session of the admin ends, this one too.
    await page.getByTestId("account-menu").locator("summary").click();
    await page.getByTestId("sign-out-everywhere").waitFor();
    await saveScreenshot(page, "admin-sign-out-everywhere");
    await page.getByTestId("sign-out-everywhere").click();
    await page.getByTestId("sign-in").waitFor();
    const left = await e2e.db.query<{ n: number }>(
      "select count(*)::int n from session s join account a on a.id = s.account_id where a.username = 'admin'",
    );
    expect(left.rows[0]!.n).toBe(0);
  });

  it("lets the new planner set its own password through the link, once", { timeout: TIMEOUT_MS }, async () => {
    const { page } = e2e.browser;
    await page.goto(link);
    const form = page.getByTestId("password-link");
    await form.waitFor();
    const inputs = form.locator("input[type=password]");
    await inputs.nth(0).fill(OWN_PASSWORD);
    await inputs.nth(1).fill(OWN_PASSWORD);
    await form.locator("button[type=submit]").click();
    await page.getByTestId("password-set").waitFor();
    await signIn(page, NEW_USER, { url: `${e2e.server.url}/`, password: OWN_PASSWORD });
    await page.getByTestId("nav").waitFor();
    // A planner has no admin views.
    expect(await page.getByTestId("nav-accounts").count()).toBe(0);
    expect(await page.getByTestId("nav-audit").count()).toBe(0);
    await signOut(page);
  });

  it("shows a leader the audit trail but not the accounts, and the server refuses its writes", {
    timeout: TIMEOUT_MS,
  }, async () => {
    const { page } = e2e.browser;
    await signIn(page, "leader");
    await page.getByTestId("nav").waitFor();
    expect(await page.getByTestId("nav-accounts").count()).toBe(0);
    expect(await page.getByTestId("nav-audit").count()).toBe(1);

    await page.goto(`${e2e.server.url}/admin/accounts`);
    await page.getByText("无权访问").waitFor();
    expect(await page.getByTestId("accounts-table").count()).toBe(0);
    await saveScreenshot(page, "admin-leader-refused");
    const before = await e2e.db.query("select count(*)::int as n from account");
    expect(
      await tryChange(page, "POST", "/api/accounts", {
        username: "sneaky",
        display_name: "x",
        password: INITIAL_PASSWORD,
        roles: [{ role: "admin" }],
      }),
    ).toBe(403);
    expect(await tryChange(page, "PATCH", "/api/accounts/1", { disabled: true })).toBe(403);
    expect(await tryChange(page, "POST", "/api/accounts/1/password", { password: INITIAL_PASSWORD })).toBe(403);
    expect((await e2e.db.query("select count(*)::int as n from account")).rows).toEqual(before.rows);

    await page.getByRole("button", { name: "返回地图" }).click();
    await page.getByTestId("nav-audit").click();
    const table = page.getByTestId("audit-table");
    await table.waitFor();
    // Newest first: the events of this run are on the first page.
    const actions = await table
      .locator("tbody tr")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-action")));
    expect(actions).toContain("account_create");
    expect(actions).toContain("password_link_issued");
    const createdRow = table.locator('tr[data-action="account_create"]').first();
    expect(await createdRow.textContent()).toContain("admin");
    expect(await createdRow.textContent()).toContain("新建账号");
    await saveScreenshot(page, "admin-audit-all");

    // Filtered to one actor, only that actor's events remain.
    await page.getByTestId("audit-filters").locator("input[name=actor]").fill(NEW_USER);
    await page.getByTestId("audit-apply").click();
    await page.waitForFunction(
      (user) => {
        // The actor is shown by name with the username beside it (issue 17: names, not codes).
        const cells = [...document.querySelectorAll("[data-testid=audit-table] [data-testid=audit-actor]")];
        return (
          cells.length > 0 && cells.every((c) => c.getAttribute("data-actor") === user && c.textContent?.includes(user))
        );
      },
      NEW_USER,
      { timeout: 30_000 },
    );
    const { rows } = await e2e.db.query<{ action: string }>(
      "select action from audit_event where actor = $1 order by id desc",
      [NEW_USER],
    );
    const shown = await table.locator("tbody tr").evaluateAll((r) => r.map((x) => x.getAttribute("data-action")));
    expect(shown).toEqual(rows.map((r) => r.action));
    await saveScreenshot(page, "admin-audit");
  });

  it("takes a leader whose session ended back to the sign-in form at the next request", {
    timeout: TIMEOUT_MS,
  }, async () => {
    const { page } = e2e.browser;
    await page.getByTestId("audit-table").waitFor();
    // As an idle expiry or a sign-out in another browser would leave it.
    await e2e.db.query("delete from session where account_id = (select id from account where username = 'leader')");
    await page.getByTestId("audit-filters").locator("input[name=actor]").fill("");
    await page.getByTestId("audit-apply").click();
    await page.getByTestId("sign-in").waitFor();
    expect(await page.getByTestId("audit-table").count()).toBe(0);
  });
});
