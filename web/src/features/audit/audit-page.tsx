import { type FormEvent, type ReactNode, useCallback, useEffect, useState } from "react";
import {
  type ApiError,
  type AuditEvent,
  type AuditFilter,
  fetchAudit,
  fetchCommunities,
  toApiError,
} from "../../api.ts";
import { isMessageKey, type Lang, localName, type Translate, useLang } from "../../i18n/lang.ts";
import { Page } from "../../ui/page.tsx";
import { TableHead } from "../../ui/table-head.tsx";

const PAGE_SIZE = 50;

/** The actions the server writes, for the filter's list (free text still works for any other). */
const ACTIONS = [
  "sign_in",
  "sign_out",
  "password_change",
  "password_reset",
  "account_create",
  "account_update",
  "plan_create",
  "plan_assign",
  "plan_create_grid",
  "plan_delete_grid",
  "plan_split",
  "plan_merge",
  "plan_lock",
  "plan_renumber",
  "plan_rebalance",
  "plan_undo",
  "plan_redo",
  "plan_publish",
];

type Community = { code: string; name: string; name_en: string | null };

/** Filters as typed in the form; dates are the browser's local time until sent. */
type Form = {
  actor: string;
  action: string;
  entity: string;
  entity_id: string;
  community: string;
  from: string;
  to: string;
};
const EMPTY: Form = { actor: "", action: "", entity: "", entity_id: "", community: "", from: "", to: "" };

/**
 * The audit trail, newest first, for admins and leaders: filter by who, what, which entity, community and time;
 * page back through older events. Plan edits read as sentences ("planner 把 12 个地块… 划入 …").
 */
export function AuditPage(props: { bar: ReactNode }) {
  const { lang, t } = useLang();
  const [form, setForm] = useState<Form>(EMPTY);
  const [filter, setFilter] = useState<Form>(EMPTY);
  // The `before` cursors of the pages walked so far: the last one is the page shown.
  const [cursors, setCursors] = useState<Array<number | undefined>>([undefined]);
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [communities, setCommunities] = useState<Community[]>([]);

  const fail = useCallback((err: unknown) => setError(toApiError(err)), []);

  useEffect(() => {
    fetchCommunities().then((fc) => setCommunities(fc.features.map((f) => f.properties)), fail);
  }, [fail]);

  const before = cursors.at(-1);
  useEffect(() => {
    let current = true;
    setEvents(null);
    setError(null);
    const query: AuditFilter = {
      actor: filter.actor.trim(),
      action: filter.action.trim(),
      entity: filter.entity.trim(),
      entity_id: filter.entity_id.trim(),
      community: filter.community,
      from: filter.from ? new Date(filter.from).toISOString() : undefined,
      to: filter.to ? new Date(filter.to).toISOString() : undefined,
      before,
      limit: PAGE_SIZE,
    };
    fetchAudit(query).then(
      (r) => current && setEvents(r.events),
      (err: unknown) => current && fail(err),
    );
    return () => {
      current = false;
    };
  }, [filter, before, fail]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilter(form);
    setCursors([undefined]);
  };
  const set = (key: keyof Form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  const last = events?.at(-1);

  return (
    <Page bar={props.bar} title={t("audit.title")} testId="audit-page">
      <form className="filters" onSubmit={apply} data-testid="audit-filters">
        <label>
          <span>{t("audit.actor")}</span>
          <input name="actor" value={form.actor} onChange={set("actor")} />
        </label>
        <label>
          <span>{t("audit.action")}</span>
          <input name="action" list="audit-actions" value={form.action} onChange={set("action")} />
          <datalist id="audit-actions">
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {actionLabel(a, t)}
              </option>
            ))}
          </datalist>
        </label>
        <label>
          <span>{t("audit.entity")}</span>
          <select name="entity" value={form.entity} onChange={set("entity")}>
            <option value="">{t("audit.any")}</option>
            <option value="account">{t("audit.entity.account")}</option>
            <option value="plan">{t("audit.entity.plan")}</option>
          </select>
        </label>
        <label>
          <span>{t("audit.entityId")}</span>
          <input name="entity_id" value={form.entity_id} onChange={set("entity_id")} size={6} />
        </label>
        <label>
          <span>{t("community.filter")}</span>
          <select name="community" value={form.community} onChange={set("community")}>
            <option value="">{t("community.all")}</option>
            {communities.map((c) => (
              <option key={c.code} value={c.code}>
                {localName(lang, c)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t("audit.from")}</span>
          <input name="from" type="datetime-local" value={form.from} onChange={set("from")} />
        </label>
        <label>
          <span>{t("audit.to")}</span>
          <input name="to" type="datetime-local" value={form.to} onChange={set("to")} />
        </label>
        <div className="filters-actions">
          <button type="submit" className="primary" data-testid="audit-apply">
            {t("audit.apply")}
          </button>
          <button
            type="button"
            onClick={() => {
              setForm(EMPTY);
              setFilter(EMPTY);
              setCursors([undefined]);
            }}
          >
            {t("audit.clear")}
          </button>
        </div>
      </form>

      {error && (
        <p className="error-text" role="alert">
          {error.text(lang)}
        </p>
      )}
      {!events && !error && <p className="muted">{t("app.loading")}</p>}
      {events && events.length === 0 && <p className="muted">{t("audit.none")}</p>}
      {events && events.length > 0 && (
        <table className="table" data-testid="audit-table">
          <TableHead
            columns={["audit.at", "audit.actor", "audit.action", "audit.entity", "community.filter", "audit.what"]}
          />
          <tbody>
            {events.map((e) => (
              <tr key={e.id} data-action={e.action}>
                <td className="nowrap">{formatTime(lang, e.at)}</td>
                <td>
                  <code>{e.actor}</code>
                </td>
                <td>{actionLabel(e.action, t)}</td>
                <td className="nowrap">
                  {entityLabel(e.entity, t)}
                  {e.entity_id && <span className="muted"> #{e.entity_id}</span>}
                </td>
                <td>{communityName(e.community_code, communities, lang)}</td>
                <td>
                  <DiffView diff={e.diff} lang={lang} t={t} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="pager">
        <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          {t("audit.newer")}
        </button>
        <span className="muted">{t("audit.page", { n: cursors.length })}</span>
        <button
          type="button"
          disabled={!events || events.length < PAGE_SIZE || !last}
          onClick={() => last && setCursors([...cursors, last.id])}
          data-testid="audit-older"
        >
          {t("audit.older")}
        </button>
      </div>
    </Page>
  );
}

function formatTime(lang: Lang, at: string): string {
  return new Date(at).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false });
}

function actionLabel(action: string, t: Translate): string {
  const key = `audit.action.${action}`;
  return isMessageKey(key) ? t(key) : action;
}

function entityLabel(entity: string, t: Translate): string {
  const key = `audit.entity.${entity}`;
  return isMessageKey(key) ? t(key) : entity;
}

function communityName(code: string | null, communities: Community[], lang: Lang): string {
  if (!code) return "";
  const c = communities.find((x) => x.code === code);
  return c ? localName(lang, c) : code;
}

type Diff = Record<string, unknown>;

/**
 * A change in words where the server wrote them (plan edits carry `description_zh`/`description_en`), otherwise its
 * fields as a short list; the raw JSON stays one click away.
 */
function DiffView({ diff, lang, t }: { diff: unknown; lang: Lang; t: Translate }) {
  if (!diff || typeof diff !== "object" || Object.keys(diff).length === 0) return <span className="muted">—</span>;
  const d = diff as Diff;
  const sentence = lang === "zh" ? d.description_zh : d.description_en;
  const shown = Object.entries(d).filter(
    ([k]) => !["description_zh", "description_en", "moves", "before", "after"].includes(k),
  );
  return (
    <div className="diff">
      {typeof sentence === "string" && <div className="diff-sentence">{sentence}</div>}
      {isObject(d.before) && isObject(d.after) && <BeforeAfter before={d.before} after={d.after} t={t} />}
      {typeof sentence !== "string" && shown.length > 0 && (
        <ul className="plain-list diff-fields">
          {shown.map(([k, v]) => (
            <li key={k}>
              <span className="muted">{k}</span>: {short(v)}
            </li>
          ))}
        </ul>
      )}
      <details>
        <summary>{t("audit.raw")}</summary>
        <pre className="diff-raw">{JSON.stringify(diff, null, 2)}</pre>
      </details>
    </div>
  );
}

/** What an account change changed: only the fields present in `after`, old → new. */
function BeforeAfter({ before, after, t }: { before: Diff; after: Diff; t: Translate }) {
  return (
    <ul className="plain-list diff-fields">
      {Object.keys(after).map((k) => (
        <li key={k}>
          <span className="muted">{k}</span>: {short(before[k])} → {short(after[k])}
        </li>
      ))}
      {Object.keys(after).length === 0 && <li className="muted">{t("audit.noChange")}</li>}
    </ul>
  );
}

const isObject = (v: unknown): v is Diff => !!v && typeof v === "object" && !Array.isArray(v);

function short(v: unknown): string {
  if (v === undefined || v === null) return "—";
  if (typeof v !== "object") return String(v);
  if (Array.isArray(v) && v.every((x) => isObject(x) && "role" in x)) {
    return v
      .map((g: Diff) =>
        [g.role, g.community_code ?? g.worker_id].filter((x) => x !== undefined && x !== null).join(":"),
      )
      .join(", ");
  }
  const text = JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
