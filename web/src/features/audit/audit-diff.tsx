import { isMessageKey, type Lang, type MessageKey, type Translate } from "../../i18n/lang.ts";
import { formatDateTime } from "../../i18n/time.ts";

type Diff = Record<string, unknown>;

/** What the page knows to name values by: categories and communities come from the server, the rest from i18n. */
export type Names = {
  community: (code: string) => string;
  category: (entity: string, code: string) => string | undefined;
};

/** Fields the trail keeps for the record but that read as noise on the page (the raw data still holds them). */
const HIDDEN = new Set(["description_zh", "description_en", "moves", "sha256", "grids_created", "grids_removed"]);

/** Units by the suffix the database gives a field's name (habit 6: units live in names). */
const UNITS: Array<[string, MessageKey]> = [
  ["_m", "audit.unit.m"],
  ["_deg", "audit.unit.deg"],
  ["_days", "audit.unit.days"],
  ["bytes", "audit.unit.bytes"],
];

/**
 * A change as a person reads it: the server's sentence where it wrote one (plan edits), else each field by its
 * label, old → new with its unit ("射程 500 → 41 米"), values by their names (statuses, types, roles, categories,
 * communities); the raw JSON stays one click away.
 */
export function DiffView(props: { diff: unknown; entity: string; lang: Lang; t: Translate; names: Names }) {
  const { diff, lang, t } = props;
  if (!isObject(diff) || Object.keys(diff).length === 0) return <span className="muted">—</span>;
  const sentence = lang === "zh" ? diff.description_zh : diff.description_en;
  const lines = typeof sentence === "string" ? [] : changeLines(diff, props.entity, props);
  return (
    <div className="diff">
      {typeof sentence === "string" && <div className="diff-sentence">{sentence}</div>}
      {lines.length > 0 && (
        <ul className="plain-list diff-fields">
          {lines.map((l) => (
            <li key={l.key}>
              <span className="muted">{l.label}</span> {l.text}
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

type Line = { key: string; label: string; text: string };

/** The lines of a change, whichever of the server's shapes it has. */
export function changeLines(d: Diff, entity: string, ctx: { lang: Lang; t: Translate; names: Names }): Line[] {
  const line = (key: string, text: string): Line => ({ key, label: fieldLabel(key, ctx.t), text });
  const value = (key: string, v: unknown) => formatValue(key, v, entity, ctx);
  const out: Line[] = [];
  // An account change: the fields present in `after`, old → new.
  if (isObject(d.before) && isObject(d.after)) {
    const before = d.before;
    for (const [k, v] of Object.entries(d.after)) {
      if (!HIDDEN.has(k)) out.push(line(k, `${value(k, before[k])} → ${value(k, v)}`));
    }
    if (!out.length) out.push({ key: "none", label: "", text: ctx.t("audit.noChange") });
    return out;
  }
  // A creation or a deletion: what the object was or became.
  const whole = isObject(d.after) ? d.after : isObject(d.before) ? d.before : null;
  if (whole) {
    for (const [k, v] of Object.entries(whole)) {
      if (HIDDEN.has(k) || k === "view" || v === null || v === undefined) continue;
      out.push(line(k, `${value(k, v)}${typeof v === "number" ? unit(k, ctx.t) : ""}`));
    }
    return out;
  }
  for (const [k, v] of Object.entries(d)) {
    if (HIDDEN.has(k)) continue;
    if (isObject(v) && ("before" in v || "from" in v)) {
      const was = "before" in v ? v.before : v.from;
      const now = "before" in v ? v.after : v.to;
      out.push(line(k, `${value(k, was)} → ${value(k, now)}${unit(k, ctx.t)}`));
    } else {
      out.push(line(k, `${value(k, v)}${typeof v === "number" ? unit(k, ctx.t) : ""}`));
    }
  }
  return out;
}

function fieldLabel(key: string, t: Translate): string {
  const k = `audit.field.${key}`;
  return isMessageKey(k) ? t(k) : key;
}

function unit(key: string, t: Translate): string {
  const u = UNITS.find(([suffix]) => key.endsWith(suffix));
  return u ? t(u[1]) : "";
}

/** Keys of the dictionaries that name a field's values, by field and (where it differs) by kind of object. */
function enumKey(field: string, entity: string, v: string): string {
  if (field === "status") return entity === "camera" ? `camera.status.${v}` : `hazard.status.${v}`;
  if (field === "type") return `camera.type.${v}`;
  if (field === "severity") return `hazard.severity.${v}`;
  if (field === "result") return `inspection.result.${v}`;
  if (field === "role") return `worker.role.${v}`;
  return "";
}

function formatValue(
  field: string,
  v: unknown,
  entity: string,
  ctx: { lang: Lang; t: Translate; names: Names },
): string {
  const { t, names } = ctx;
  if (v === undefined || v === null || v === "") return "—";
  if (typeof v === "boolean") return t(v ? "audit.yes" : "audit.no");
  if (field === "geometry" || field === "at") return positionText(v) ?? t("audit.moved");
  if (typeof v === "string") {
    const k = enumKey(field, entity, v);
    if (k && isMessageKey(k)) return t(k);
    if (field === "category") return names.category(entity, v) ?? v;
    if (field === "community_code") return names.community(v);
    if (field.endsWith("_at") || /^\d{4}-\d\d-\d\dT/.test(v)) return formatDateTime(ctx.lang, v);
    return v;
  }
  if (typeof v === "number") return String(v);
  if (Array.isArray(v)) {
    if (field === "warnings") return ctx.t("audit.items", { n: v.length });
    if (field === "defaulted") return v.map((x) => fieldLabel(String(x), t)).join("、");
    if (field === "roles") return v.map((g) => roleText(g, ctx)).join("、") || "—";
    if (v.every((x) => typeof x === "string" || typeof x === "number")) return v.join("、");
    return t("audit.items", { n: v.length });
  }
  if (isObject(v)) return t("audit.items", { n: Object.keys(v).length });
  return String(v);
}

/** An account's role grant: the role's name and, for a secretary or a worker, where it holds. */
function roleText(g: unknown, ctx: { t: Translate; names: Names }): string {
  const role = isObject(g) ? g.role : g;
  const key = `account.role.${String(role)}`;
  const name = isMessageKey(key) ? ctx.t(key) : String(role);
  if (isObject(g) && typeof g.community_code === "string") return `${name}（${ctx.names.community(g.community_code)}）`;
  return name;
}

function positionText(v: unknown): string | null {
  const c = isObject(v) && Array.isArray(v.coordinates) ? v.coordinates : null;
  if (!c || typeof c[0] !== "number" || typeof c[1] !== "number") return null;
  return `${c[0].toFixed(6)}, ${c[1].toFixed(6)}`;
}

const isObject = (v: unknown): v is Diff => !!v && typeof v === "object" && !Array.isArray(v);
