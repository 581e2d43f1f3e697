import { type FormEvent, type ReactNode, useCallback, useEffect, useMemo, useState } from "react";
import {
  type ApiError,
  type AuditEvent,
  type AuditFilter,
  fetchAudit,
  fetchCommunities,
  fetchHazardCategories,
  fetchVenueCategories,
  toApiError,
} from "../../api.ts";
import { isMessageKey, type Lang, localName, type Translate, useLang } from "../../i18n/lang.ts";
import { formatDateTime, zonedInstant, zoneName } from "../../i18n/time.ts";
import { zh } from "../../i18n/zh.ts";
import { CommunityOptions } from "../../ui/community-options.tsx";
import { FilterInput, FilterSelect, filterBinder, ValueOptions } from "../../ui/filter-fields.tsx";
import { ErrorText } from "../../ui/form.tsx";
import { Page } from "../../ui/page.tsx";
import { TableHead } from "../../ui/table-head.tsx";
import { DiffView, type Names } from "./audit-diff.tsx";

const PAGE_SIZE = 50;

/**
 * The actions and kinds of object the filters offer: every one the dictionaries label, which is every one the server
 * writes (`audit-labels.test.ts` holds the two lists equal).
 */
const listed = (prefix: string) =>
  Object.keys(zh)
    .filter((k) => k.startsWith(prefix))
    .map((k) => k.slice(prefix.length));
const ACTIONS = listed("audit.action.");
const ENTITIES = listed("audit.entity.");

type Community = { code: string; name: string; name_en: string | null };

/** Filters as typed in the form; dates are wall times in the subdistrict's zone until sent. */
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
  const [categories, setCategories] = useState<{ venue: Category[]; hazard: Category[] }>({ venue: [], hazard: [] });

  const fail = useCallback((err: unknown) => setError(toApiError(err)), []);

  useEffect(() => {
    fetchCommunities().then((fc) => setCommunities(fc.features.map((f) => f.properties)), fail);
    Promise.all([fetchVenueCategories(), fetchHazardCategories()]).then(
      ([venue, hazard]) => setCategories({ venue, hazard }),
      fail,
    );
  }, [fail]);

  const names = useMemo<Names>(
    () => ({
      community: (code) => communityName(code, communities, lang),
      category: (entity, code) => {
        const c = (entity === "hazard" ? categories.hazard : categories.venue).find((x) => x.code === code);
        return c ? (lang === "zh" ? c.name_zh : c.name_en) : undefined;
      },
    }),
    [communities, categories, lang],
  );

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
      from: filter.from ? zonedInstant(filter.from) : undefined,
      to: filter.to ? zonedInstant(filter.to) : undefined,
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
  const bind = filterBinder(form, setForm);
  const inZone = t("audit.inZone", { zone: zoneName(lang) });
  const last = events?.at(-1);

  return (
    <Page bar={props.bar} title={t("audit.title")} testId="audit-page">
      <form className="filters" onSubmit={apply} data-testid="audit-filters">
        <FilterInput label={t("audit.actor")} {...bind("actor")} />
        <FilterSelect label={t("audit.action")} any={t("audit.any")} {...bind("action")}>
          <ValueOptions values={ACTIONS} label={(a) => actionLabel(a, t)} />
        </FilterSelect>
        <FilterSelect label={t("audit.entity")} any={t("audit.any")} {...bind("entity")}>
          <ValueOptions values={ENTITIES} label={(e) => entityLabel(e, t)} />
        </FilterSelect>
        <FilterInput label={t("audit.entityId")} {...bind("entity_id")} size={6} />
        <FilterSelect label={t("community.filter")} any={t("community.all")} {...bind("community")}>
          <CommunityOptions communities={communities} />
        </FilterSelect>
        <FilterInput label={`${t("audit.from")}${inZone}`} type="datetime-local" {...bind("from")} />
        <FilterInput label={`${t("audit.to")}${inZone}`} type="datetime-local" {...bind("to")} />
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

      <ErrorText error={error} />
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
                <td className="nowrap">{formatDateTime(lang, e.at)}</td>
                <td data-testid="audit-actor" data-actor={e.actor}>
                  {e.actor_name && e.actor_name !== e.actor ? (
                    <>
                      {e.actor_name} <span className="muted">（{e.actor}）</span>
                    </>
                  ) : (
                    e.actor
                  )}
                </td>
                <td>{actionLabel(e.action, t)}</td>
                <td data-testid="audit-entity">
                  {entityLabel(e.entity, t)}
                  {objectName(e, names) && <> · {objectName(e, names)}</>}
                </td>
                <td>{e.community_code ? communityName(e.community_code, communities, lang) : ""}</td>
                <td>
                  <DiffView diff={e.diff} entity={e.entity} lang={lang} t={t} names={names} />
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

function actionLabel(action: string, t: Translate): string {
  const key = `audit.action.${action}`;
  return isMessageKey(key) ? t(key) : action;
}

function entityLabel(entity: string, t: Translate): string {
  const key = `audit.entity.${entity}`;
  return isMessageKey(key) ? t(key) : entity;
}

/** What a person calls the object: the server's name for it (a venue category's in this language). */
function objectName(e: AuditEvent, names: Names): string {
  if (e.entity === "venue_category" && e.entity_id) return names.category("venue", e.entity_id) ?? e.entity_name ?? "";
  return e.entity_name ?? "";
}

function communityName(code: string, communities: Community[], lang: Lang): string {
  const c = communities.find((x) => x.code === code);
  return c ? localName(lang, c) : code;
}

type Category = { code: string; name_zh: string; name_en: string };
