import { type FormEvent, type ReactNode, useCallback, useEffect, useState } from "react";
import {
  type Account,
  type ApiError,
  changeAccount,
  createAccount,
  fetchAccounts,
  fetchCommunities,
  fetchWorkers,
  type RoleGrant,
  resetPassword,
  toApiError,
} from "../../api.ts";
import { useLang } from "../../i18n/lang.ts";
import { Dialog, Field, Page } from "../../ui/page.tsx";
import { TableHead } from "../../ui/table-head.tsx";
import { type Community, grantLabel, RoleGrants } from "./role-grants.tsx";

type Editing = { kind: "create" } | { kind: "edit"; account: Account } | { kind: "password"; account: Account };

/**
 * The admin's list of accounts: who has which roles over which communities and workers, who is disabled or locked
 * out, who still has to change an initial password; with creating, re-scoping, password resets and disabling.
 */
export function AccountsPage(props: { bar: ReactNode; me: number }) {
  const { lang, t } = useLang();
  const [accounts, setAccounts] = useState<Account[] | null>(null);
  const [communities, setCommunities] = useState<Community[]>([]);
  const [workerNames, setWorkerNames] = useState<ReadonlyMap<number, string>>(new Map());
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
    fetchWorkers(null, true).then((list) => setWorkerNames(new Map(list.workers.map((w) => [w.id, w.name]))), fail);
  }, [reload, fail]);

  const learnWorker = useCallback((id: number, name: string) => {
    setWorkerNames((prev) => new Map(prev).set(id, name));
  }, []);

  const toggleDisabled = (a: Account) => {
    changeAccount(a.id, { disabled: !a.disabled }).then(() => {
      setNotice(t(a.disabled ? "account.enabled" : "account.disabledNotice", { name: a.username }));
      reload();
    }, fail);
  };

  const done = (message: string) => {
    setEditing(null);
    setNotice(message);
    reload();
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
      {error && (
        <p className="error-text" role="alert">
          {error.text(lang)}
        </p>
      )}
      {!accounts && !error && <p className="muted">{t("app.loading")}</p>}
      {accounts && (
        <table className="table" data-testid="accounts-table">
          <TableHead
            columns={["account.username", "account.displayName", "account.roles", "account.state", "account.actions"]}
          />
          <tbody>
            {accounts.map((a) => (
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
                    {a.locked && <span className="tag tag-bad">{t("account.isLocked")}</span>}
                    {a.must_change_password && <span className="tag">{t("account.mustChange")}</span>}
                    {!a.disabled && !a.locked && !a.must_change_password && (
                      <span className="tag tag-ok">{t("account.active")}</span>
                    )}
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
          onSaved={(username) => done(t("account.created", { name: username }))}
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
          onSaved={() => done(t("account.passwordReset", { name: editing.account.username }))}
        />
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
  onSaved: (username: string) => void;
}) {
  const { lang, t } = useLang();
  const existing = props.account;
  const [username, setUsername] = useState(existing?.username ?? "");
  const [displayName, setDisplayName] = useState(existing?.display_name ?? "");
  const [password, setPassword] = useState("");
  const [roles, setRoles] = useState<RoleGrant[]>(existing?.roles ?? []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const field = fieldOf(error);
  const at = (name: string) => (field === name ? error?.text(lang) : undefined);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (existing) await changeAccount(existing.id, { display_name: displayName, roles });
      else await createAccount({ username: username.trim(), display_name: displayName, password, roles });
      props.onSaved(existing?.username ?? username.trim());
    } catch (err) {
      setError(toApiError(err));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={existing ? t("account.editTitle", { name: existing.username }) : t("account.createTitle")}
      closeLabel={t("grid.close")}
      onClose={props.onClose}
      testId="account-dialog"
      wide
    >
      <form className="form" onSubmit={submit} noValidate>
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
        {!existing && (
          <Field label={t("account.initialPassword")} error={at("password")} hint={t("account.passwordHint")}>
            {(id) => (
              <input
                id={id}
                name="password"
                type="password"
                autoComplete="new-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            )}
          </Field>
        )}
        <RoleGrants
          value={roles}
          onChange={setRoles}
          communities={props.communities}
          workerNames={props.workerNames}
          onWorkerFound={props.onWorkerFound}
          error={at("roles")}
        />
        {error && !field && (
          <p className="error-text" role="alert">
            {error.text(lang)}
          </p>
        )}
        <div className="card-actions">
          <button type="button" onClick={props.onClose}>
            {t("account.cancel")}
          </button>
          <button type="submit" className="primary" disabled={busy} data-testid="account-save">
            {existing ? t("account.save") : t("account.create")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function PasswordDialog(props: { account: Account; onClose: () => void; onSaved: () => void }) {
  const { lang, t } = useLang();
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await resetPassword(props.account.id, password);
      props.onSaved();
    } catch (err) {
      setError(toApiError(err));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={t("account.resetTitle", { name: props.account.username })}
      closeLabel={t("grid.close")}
      onClose={props.onClose}
      testId="password-dialog"
    >
      <form className="form" onSubmit={submit} noValidate>
        <p className="muted">{t("account.resetWhy")}</p>
        <Field
          label={t("account.initialPassword")}
          error={error?.field === "password" ? error.text(lang) : undefined}
          hint={t("account.passwordHint")}
        >
          {(id) => (
            <input
              id={id}
              name="password"
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        {error && error.field !== "password" && (
          <p className="error-text" role="alert">
            {error.text(lang)}
          </p>
        )}
        <div className="card-actions">
          <button type="button" onClick={props.onClose}>
            {t("account.cancel")}
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {t("account.resetPassword")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
