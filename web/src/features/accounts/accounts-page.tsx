import { type ReactNode, useCallback, useEffect, useMemo, useState } from "react";
import {
  type Account,
  type ApiError,
  changeAccount,
  createAccount,
  fetchAccounts,
  fetchCommunities,
  fetchWorkers,
  type PasswordLink,
  type RoleGrant,
  resetPassword,
  toApiError,
} from "../../api.ts";
import { useLang } from "../../i18n/lang.ts";
import { CommunityOptions } from "../../ui/community-options.tsx";
import { FilterInput, FilterSelect, filterBinder, ValueOptions } from "../../ui/filter-fields.tsx";
import { ErrorText, FormActions, useRequest } from "../../ui/form.tsx";
import { Dialog, Field, Page } from "../../ui/page.tsx";
import { TableHead } from "../../ui/table-head.tsx";
import { type AccountFilter, filterAccounts, NO_FILTER, statusOf } from "./account-filter.ts";
import { type Community, grantLabel, RoleGrants } from "./role-grants.tsx";

type Editing =
  | { kind: "create" }
  | { kind: "edit"; account: Account }
  | { kind: "password"; account: Account }
  | { kind: "link"; username: string; link: PasswordLink };

const ROLES = ["admin", "planner", "leader", "secretary", "worker"] as const;
const STATUSES = ["active", "must_change", "disabled"] as const;
const STATUS_KEYS = {
  active: "account.active",
  disabled: "account.isDisabled",
  must_change: "account.mustChange",
} as const;

/**
 * The admin's list of accounts, searchable and filtered by role, community and state: who has which roles over
 * which communities and workers, who is disabled, who has not set a password yet; with creating, re-scoping,
 * set-password links and disabling. Passwords never pass through the admin: a new or reset account gets a one-time
 * link, shown once.
 */
export function AccountsPage(props: { bar: ReactNode; me: number }) {
  const { lang, t } = useLang();
  const [accounts, setAccounts] = useState<Account[] | null>(null);
  const [communities, setCommunities] = useState<Community[]>([]);
  const [workerNames, setWorkerNames] = useState<ReadonlyMap<number, string>>(new Map());
  const [workerCommunity, setWorkerCommunity] = useState<ReadonlyMap<number, string>>(new Map());
  const [filter, setFilter] = useState<AccountFilter>(NO_FILTER);
  const [error, setError] = useState<ApiError | null>(null);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const fail = useCallback((err: unknown) => setError(toApiError(err)), []);

  const reload = useCallback(() => {
    fetchAccounts().then((list) => {
      setAccounts(list);
      setError(null);
    }, fail);
  }, [fail]);

  useEffect(() => {
    reload();
    fetchCommunities().then((fc) => setCommunities(fc.features.map((f) => f.properties)), fail);
    // Names for the worker grants, retired staff included (their accounts may still exist).
    fetchWorkers(null, true).then((list) => {
      setWorkerNames(new Map(list.workers.map((w) => [w.id, w.name])));
      setWorkerCommunity(new Map(list.workers.map((w) => [w.id, w.community_code])));
    }, fail);
  }, [reload, fail]);

  const learnWorker = useCallback((id: number, name: string) => {
    setWorkerNames((prev) => new Map(prev).set(id, name));
  }, []);

  const shown = useMemo(
    () => (accounts ? filterAccounts(accounts, filter, workerCommunity) : []),
    [accounts, filter, workerCommunity],
  );
  const bind = filterBinder(filter, setFilter);

  const toggleDisabled = (a: Account) => {
    changeAccount(a.id, { disabled: !a.disabled, version: a.version }).then(() => {
      setNotice(t(a.disabled ? "account.enabled" : "account.disabledNotice", { name: a.username }));
      reload();
    }, fail);
  };

  const done = (message: string) => {
    setEditing(null);
    setNotice(message);
    reload();
  };
  /** A link was issued: shown once, in its own dialog, until the admin closes it. */
  const issued = (message: string, username: string, link: PasswordLink) => {
    setNotice(message);
    reload();
    setEditing(link.set_password_url ? { kind: "link", username, link } : null);
  };

  return (
    <Page
      bar={props.bar}
      title={t("account.title")}
      testId="accounts-page"
      actions={
        <button
          type="button"
          className="primary"
          onClick={() => setEditing({ kind: "create" })}
          data-testid="account-create"
        >
          {t("account.create")}
        </button>
      }
    >
      {notice && (
        <p className="notice-inline" role="status">
          {notice}
        </p>
      )}
      <ErrorText error={error} />
      {!accounts && !error && <p className="muted">{t("app.loading")}</p>}
      {accounts && (
        <form className="filters" data-testid="account-filters" onSubmit={(e) => e.preventDefault()}>
          <FilterInput
            label={t("account.search")}
            {...bind("text")}
            type="search"
            autoComplete="off"
            data-testid="account-search"
          />
          <FilterSelect label={t("account.filterRole")} any={t("account.any")} {...bind("role")}>
            <ValueOptions values={ROLES} label={(r) => t(`account.role.${r}`)} />
          </FilterSelect>
          <FilterSelect label={t("account.filterCommunity")} any={t("account.any")} {...bind("community")}>
            <CommunityOptions communities={communities} />
          </FilterSelect>
          <FilterSelect label={t("account.filterStatus")} any={t("account.any")} {...bind("status")}>
            <ValueOptions values={STATUSES} label={(s) => t(STATUS_KEYS[s])} />
          </FilterSelect>
          <div className="filters-actions">
            <button type="button" onClick={() => setFilter(NO_FILTER)} disabled={filter === NO_FILTER}>
              {t("account.clearFilters")}
            </button>
          </div>
          <p className="muted" role="status" data-testid="account-count">
            {t("account.shown", { shown: shown.length, total: accounts.length })}
          </p>
        </form>
      )}
      {accounts && shown.length === 0 && <p className="muted">{t("account.noMatch")}</p>}
      {accounts && shown.length > 0 && (
        <table className="table" data-testid="accounts-table">
          <TableHead
            columns={["account.username", "account.displayName", "account.roles", "account.state", "account.actions"]}
          />
          <tbody>
            {shown.map((a) => (
              <tr key={a.id} data-username={a.username} className={a.disabled ? "row-disabled" : undefined}>
                <td>
                  <code>{a.username}</code>
                </td>
                <td>{a.display_name}</td>
                <td>
                  <ul className="plain-list">
                    {a.roles.map((g) => (
                      <li key={JSON.stringify(g)}>{grantLabel(g, t, lang, communities, workerNames)}</li>
                    ))}
                  </ul>
                </td>
                <td>
                  <span className="tags">
                    {a.disabled && <span className="tag tag-bad">{t("account.isDisabled")}</span>}
                    {a.awaiting_link ? (
                      <span className="tag" title={t("account.awaitingLinkHint")}>
                        {t("account.awaitingLink")}
                      </span>
                    ) : (
                      a.must_change_password && <span className="tag">{t("account.mustChange")}</span>
                    )}
                    {statusOf(a) === "active" && <span className="tag tag-ok">{t("account.active")}</span>}
                  </span>
                </td>
                <td className="row-actions">
                  <button type="button" onClick={() => setEditing({ kind: "edit", account: a })}>
                    {t("account.edit")}
                  </button>
                  <button type="button" onClick={() => setEditing({ kind: "password", account: a })}>
                    {t("account.resetPassword")}
                  </button>
                  {a.id !== props.me && (
                    <button type="button" onClick={() => toggleDisabled(a)} data-testid="account-toggle-disabled">
                      {a.disabled ? t("account.enable") : t("account.disable")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {editing?.kind === "create" && (
        <AccountDialog
          communities={communities}
          workerNames={workerNames}
          onWorkerFound={learnWorker}
          onClose={() => setEditing(null)}
          onSaved={(username, link) => link && issued(t("account.created", { name: username }), username, link)}
        />
      )}
      {editing?.kind === "edit" && (
        <AccountDialog
          account={editing.account}
          communities={communities}
          workerNames={workerNames}
          onWorkerFound={learnWorker}
          onClose={() => setEditing(null)}
          onSaved={(username) => done(t("account.saved", { name: username }))}
        />
      )}
      {editing?.kind === "password" && (
        <PasswordDialog
          account={editing.account}
          onClose={() => setEditing(null)}
          onSaved={(link) =>
            issued(t("account.passwordReset", { name: editing.account.username }), editing.account.username, link)
          }
        />
      )}
      {editing?.kind === "link" && (
        <LinkDialog username={editing.username} link={editing.link} onClose={() => setEditing(null)} />
      )}
    </Page>
  );
}

/** The server names the input at fault; a role grant's fault (`roles.2.worker_id`) belongs to the roles box. */
function fieldOf(err: ApiError | null): string | undefined {
  if (!err?.field) return undefined;
  return err.field.startsWith("roles") ? "roles" : err.field;
}

function AccountDialog(props: {
  account?: Account;
  communities: Community[];
  workerNames: ReadonlyMap<number, string>;
  onWorkerFound: (id: number, name: string) => void;
  onClose: () => void;
  onSaved: (username: string, link?: PasswordLink) => void;
}) {
  const { lang, t } = useLang();
  const existing = props.account;
  const [username, setUsername] = useState(existing?.username ?? "");
  const [displayName, setDisplayName] = useState(existing?.display_name ?? "");
  const [roles, setRoles] = useState<RoleGrant[]>(existing?.roles ?? []);
  const { busy, error, submit } = useRequest({ staysBusy: true });
  const field = fieldOf(error);
  const at = (name: string) => (field === name ? error?.text(lang) : undefined);

  const save = submit(async () => {
    if (existing) {
      await changeAccount(existing.id, { display_name: displayName, roles, version: existing.version });
      props.onSaved(existing.username);
    } else {
      const link = await createAccount({ username: username.trim(), display_name: displayName, roles });
      props.onSaved(username.trim(), link);
    }
  });

  return (
    <Dialog
      title={existing ? t("account.editTitle", { name: existing.username }) : t("account.createTitle")}
      closeLabel={t("grid.close")}
      onClose={props.onClose}
      testId="account-dialog"
      wide
    >
      <form className="form" onSubmit={save} noValidate>
        {!existing && (
          <Field label={t("account.username")} error={at("username")} hint={t("account.usernameHint")}>
            {(id) => (
              <input
                id={id}
                name="username"
                autoComplete="off"
                value={username}
                onChange={(e) => setUsername(e.target.value)}
              />
            )}
          </Field>
        )}
        <Field label={t("account.displayName")} error={at("display_name")}>
          {(id) => (
            <input id={id} name="display_name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
          )}
        </Field>
        {!existing && <p className="muted">{t("account.createWhy")}</p>}
        <RoleGrants
          value={roles}
          onChange={setRoles}
          communities={props.communities}
          workerNames={props.workerNames}
          onWorkerFound={props.onWorkerFound}
          error={at("roles")}
        />
        <ErrorText error={field ? null : error} />
        <FormActions onCancel={props.onClose}>
          <button type="submit" className="primary" disabled={busy} data-testid="account-save">
            {existing ? t("account.save") : t("account.create")}
          </button>
        </FormActions>
      </form>
    </Dialog>
  );
}

function PasswordDialog(props: { account: Account; onClose: () => void; onSaved: (link: PasswordLink) => void }) {
  const { t } = useLang();
  const { busy, error, submit } = useRequest({ staysBusy: true });
  const reset = submit(async () => props.onSaved(await resetPassword(props.account.id)));

  return (
    <Dialog
      title={t("account.resetTitle", { name: props.account.username })}
      closeLabel={t("grid.close")}
      onClose={props.onClose}
      testId="password-dialog"
    >
      <form className="form" onSubmit={reset} noValidate>
        <p className="muted">{t("account.resetWhy")}</p>
        <ErrorText error={error} />
        <FormActions onCancel={props.onClose}>
          <button type="submit" className="primary" disabled={busy} data-testid="password-reset">
            {t("account.resetPassword")}
          </button>
        </FormActions>
      </form>
    </Dialog>
  );
}

/**
 * The one-time set-password link, shown this once: the server keeps only its hash, so closing the dialog loses it
 * (a new reset makes another and voids this one). The token rides in the fragment, which no server or Referer sees.
 */
function LinkDialog(props: { username: string; link: PasswordLink; onClose: () => void }) {
  const { lang, t } = useLang();
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const url = new URL(props.link.set_password_url ?? "", window.location.origin).href;
  const until = props.link.set_password_expires_at
    ? new Date(props.link.set_password_expires_at).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", {
        dateStyle: "medium",
        timeStyle: "short",
      })
    : "";
  const copy = () => {
    navigator.clipboard?.writeText(url).then(
      () => setCopied("yes"),
      () => setCopied("failed"),
    ) ?? setCopied("failed");
  };
  return (
    <Dialog
      title={t("account.linkTitle", { name: props.username })}
      closeLabel={t("grid.close")}
      onClose={props.onClose}
      testId="link-dialog"
      wide
    >
      <div className="form">
        <p>{t("account.linkWhy", { until })}</p>
        <input
          className="link-field"
          readOnly
          value={url}
          aria-label={t("account.linkTitle", { name: props.username })}
          onFocus={(e) => e.target.select()}
          data-testid="set-password-url"
        />
        <ErrorText error={copied === "failed" ? t("account.linkCopyFailed") : null} />
        <div className="card-actions">
          <button type="button" onClick={copy} data-testid="link-copy">
            {copied === "yes" ? t("account.linkCopied") : t("account.linkCopy")}
          </button>
          <button type="button" className="primary" onClick={props.onClose}>
            {t("account.linkDone")}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
