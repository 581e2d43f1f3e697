/**
 * The leader's map filters and how they live in the URL, so that a view can be shared by copying its address.
 * Keys: `vc` venue categories, `vs` inspection statuses, `hc` hazard categories, `hs` hazard statuses, `sev`
 * severities (lists comma-separated), `community`, `grid`, `from`, `to` (reported / last inspected), `q`,
 * `as_of` (the replay's day), `layers` (v, h), `heat`, `cov` (grids coloured by camera coverage).
 */
export type Filters = {
  venueCategories: string[];
  venueStatuses: string[];
  hazardCategories: string[];
  hazardStatuses: string[];
  severities: string[];
  community: string | null;
  grid: string | null;
  from: string | null;
  to: string | null;
  q: string;
  asOf: string | null;
  showVenues: boolean;
  showHazards: boolean;
  heat: boolean;
  /** Grids coloured by the share of their roads the cameras see, under the points. */
  coverage: boolean;
};

export const NO_FILTERS: Filters = {
  venueCategories: [],
  venueStatuses: [],
  hazardCategories: [],
  hazardStatuses: [],
  severities: [],
  community: null,
  grid: null,
  from: null,
  to: null,
  q: "",
  asOf: null,
  showVenues: true,
  showHazards: true,
  heat: false,
  coverage: false,
};

export const VENUE_STATUSES = ["never", "overdue", "due", "ok", "closed"] as const;
export const HAZARD_STATUSES = ["reported", "assigned", "in_progress", "resolved", "verified"] as const;
export const SEVERITIES = ["high", "medium", "low"] as const;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const list = (v: string | null) =>
  v
    ? [
        ...new Set(
          v
            .split(",")
            .map((s) => s.trim())
            .filter((s) => /^[a-z_]{1,40}$/.test(s)),
        ),
      ]
    : [];
const day = (v: string | null) => (v && DAY.test(v) ? v : null);

/** Reads the filters from a query string; anything malformed is dropped rather than sent on. */
export function parseFilters(search: string): Filters {
  const p = new URLSearchParams(search.startsWith("?") ? search.slice(1) : search);
  const layers = p.get("layers");
  const community = p.get("community");
  const grid = p.get("grid");
  return {
    venueCategories: list(p.get("vc")),
    venueStatuses: list(p.get("vs")).filter((s) => (VENUE_STATUSES as readonly string[]).includes(s)),
    hazardCategories: list(p.get("hc")),
    hazardStatuses: list(p.get("hs")).filter((s) => (HAZARD_STATUSES as readonly string[]).includes(s)),
    severities: list(p.get("sev")).filter((s) => (SEVERITIES as readonly string[]).includes(s)),
    community: community && /^\d{12}$/.test(community) ? community : null,
    grid: grid && /^\d{15}$/.test(grid) ? grid : null,
    from: day(p.get("from")),
    to: day(p.get("to")),
    q: (p.get("q") ?? "").slice(0, 100),
    asOf: day(p.get("as_of")),
    showVenues: layers === null || layers.split(",").includes("v"),
    showHazards: layers === null || layers.split(",").includes("h"),
    heat: p.get("heat") === "1",
    coverage: p.get("cov") === "1",
  };
}

/** The query string of the filters, only what differs from no filter, in a fixed order (stable, shareable URLs). */
export function formatFilters(f: Filters): string {
  const p = new URLSearchParams();
  const put = (k: string, v: string | null | undefined) => {
    if (v) p.set(k, v);
  };
  put("vc", f.venueCategories.join(","));
  put("vs", f.venueStatuses.join(","));
  put("hc", f.hazardCategories.join(","));
  put("hs", f.hazardStatuses.join(","));
  put("sev", f.severities.join(","));
  put("community", f.community);
  put("grid", f.grid);
  put("from", f.from);
  put("to", f.to);
  put("q", f.q.trim());
  put("as_of", f.asOf);
  if (!f.showVenues || !f.showHazards) {
    p.set("layers", [f.showVenues ? "v" : "", f.showHazards ? "h" : ""].filter(Boolean).join(",") || "none");
  }
  if (f.heat) p.set("heat", "1");
  if (f.coverage) p.set("cov", "1");
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** The place filters both layers share, as the API names them. */
function placeQuery(f: Filters): Record<string, string> {
  const q: Record<string, string> = {};
  if (f.community) q.community = f.community;
  if (f.grid) q.grid = f.grid;
  if (f.q.trim()) q.q = f.q.trim();
  return q;
}

/** Dates in the wrong order are sent as given: the server's 400 says what is wrong. */
function dates(f: Filters, q: Record<string, string>): Record<string, string> {
  if (f.from) q.from = f.from;
  if (f.to) q.to = f.to;
  return q;
}

export function venueQuery(f: Filters): Record<string, string> {
  const q = dates(f, placeQuery(f));
  if (f.venueCategories.length) q.category = f.venueCategories.join(",");
  if (f.venueStatuses.length) q.status = f.venueStatuses.join(",");
  return q;
}

export function hazardQuery(f: Filters): Record<string, string> {
  const q = dates(f, placeQuery(f));
  if (f.hazardCategories.length) q.category = f.hazardCategories.join(",");
  if (f.hazardStatuses.length) q.status = f.hazardStatuses.join(",");
  if (f.severities.length) q.severity = f.severities.join(",");
  if (f.asOf) q.as_of = f.asOf;
  return q;
}

/** The statistics follow the hazard filters; venue categories pick the venues of the overdue figures. */
export function statsQuery(f: Filters): Record<string, string> {
  const q = hazardQuery(f);
  if (f.venueCategories.length) q.venue_category = f.venueCategories.join(",");
  return q;
}

/** Months (YYYY-MM) from `first` to `last`, both included. */
export function monthsBetween(first: string, last: string): string[] {
  const out: string[] = [];
  let [y, m] = first.split("-").map(Number) as [number, number];
  for (let guard = 0; guard < 600; guard++) {
    const month = `${y}-${String(m).padStart(2, "0")}`;
    out.push(month);
    if (month >= last) break;
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

/** The last day of a month (YYYY-MM → YYYY-MM-DD). */
export function monthEnd(month: string): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}
