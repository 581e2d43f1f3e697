import { useMemo, useState } from "react";
import type { GridFigures, HistoryEntry } from "../../api.ts";
import { formatNumber, isMessageKey, type Lang, type MessageKey, type Translate, useLang } from "../../i18n/lang.ts";
import { formatDateTime } from "../../i18n/time.ts";
import type { Territory } from "./plan-data.ts";
import { hasProblem, provenBound, splitUnits } from "./plan-model.ts";

const SYMBOLS = { under: "▼", ok: "✓", over: "▲" } as const;
const STATUS_CLASS = { under: "st-under", ok: "st-ok", over: "st-over" } as const;

type SortKey = "code" | "households" | "compactness" | "roads_share" | "buildings_split" | "compounds_split" | "pieces";

/**
 * The live figures beside the map: the selected grid (band status with how far off, contiguity with its pieces,
 * compactness, boundary on roads, split buildings and compounds that zoom to themselves) and the community's grids
 * in a table that sorts by any of them, with a walk through the grids that have a problem.
 */
export function EditorPanel(props: {
  figures: ReadonlyMap<string, GridFigures>;
  gridOf: ReadonlyMap<number, string>;
  territory: Territory;
  selected: string | null;
  editable: boolean;
  communityName: string;
  /** A compound's name from the base map, for the lists of split units. */
  compoundName: (id: number) => string | undefined;
  onSelect: (code: string | null, zoom?: boolean) => void;
  onZoom: (parcels: number[]) => void;
  onNextProblem: () => void;
  onLock: () => void;
  onDelete: () => void;
  onSplit: () => void;
  onMerge: () => void;
  /** The draft's edits, newest first (the server keeps them; undone ones stay until a new edit). */
  history: HistoryEntry[];
}) {
  const { lang, t } = useLang();
  const grids = [...props.figures.values()];
  const g = props.selected ? props.figures.get(props.selected) : undefined;
  const buildingsSplit = useMemo(
    () => splitUnits(props.territory.info.values(), props.gridOf, "building"),
    [props.territory, props.gridOf],
  );
  const compoundsSplit = useMemo(
    () => splitUnits(props.territory.info.values(), props.gridOf, "compound"),
    [props.territory, props.gridOf],
  );
  const n = (v: number) => formatNumber(lang, v);
  const households = grids.reduce((s, x) => s + x.households, 0);
  const count = (st: "under" | "ok" | "over") => grids.filter((x) => x.status === st).length;
  const problems = grids.filter(hasProblem).length;
  const proof = grids[0] ? provenBound(props.history, grids[0]) : null;
  const outOfBand = count("under") + count("over");

  return (
    <aside className="panel editor-panel" data-testid="editor-panel" aria-label={t("grid.figures")}>
      <div className="panel-body">
        {g ? (
          <section data-testid="grid-figures" data-code={g.code}>
            <header className="panel-header-inline">
              <h2 className="panel-title">
                {t("grid.title", { seq: g.code.slice(-3) })}
                {g.locked && <span className="tag">{t("grid.locked")}</span>}
              </h2>
              <button
                type="button"
                className="panel-close"
                onClick={() => props.onSelect(null)}
                aria-label={t("grid.close")}
              >
                ×
              </button>
            </header>
            <div className="muted">
              <code>{g.code}</code> · {props.communityName}
            </div>
            <Band g={g} t={t} lang={lang} />
            <dl className="stats">
              <Figure label={t("grid.households")} value={n(g.households)} testId="fig-households" />
              <Figure label={t("grid.entrances")} value={n(g.entrances)} testId="fig-entrances" />
              <Figure label={t("grid.buildings")} value={n(g.buildings)} testId="fig-buildings" />
              <Figure label={t("grid.parcels")} value={n(g.parcels)} testId="fig-parcels" />
              <Figure
                label={t("grid.area")}
                value={t("grid.areaValue", { n: formatNumber(lang, g.area_m2 / 10_000, 1) })}
              />
              <Figure
                label={t("grid.compactness")}
                value={formatNumber(lang, g.compactness, 2)}
                testId="fig-compactness"
              />
              <Figure label={t("grid.roadsShare")} value={`${formatNumber(lang, g.roads_share * 100)}%`} />
              <Figure
                label={t("grid.contiguity")}
                value={
                  g.contiguous ? (
                    <span className="st-ok">✓ {t("grid.contiguous")}</span>
                  ) : (
                    <button
                      type="button"
                      className="link-button st-over"
                      onClick={() => props.onZoom(g.pieces.slice(1).flat())}
                    >
                      ✗ {t("grid.pieces", { n: g.pieces.length })}
                    </button>
                  )
                }
                testId="fig-contiguity"
              />
            </dl>
            <SplitList
              title={t("grid.buildingsSplit", { n: g.buildings_split })}
              units={[...buildingsSplit].filter(([, v]) => v.grids.has(g.code))}
              label={(id) => {
                const parcel = [...props.territory.info.values()].find((p) => p.building_id === id);
                const compound = parcel?.compound_id;
                const name = compound === null || compound === undefined ? undefined : props.compoundName(compound);
                const building = parcel?.building_name ?? t("building.n", { id });
                return name ? t("building.inCompound", { compound: name, building }) : building;
              }}
              onZoom={props.onZoom}
            />
            <SplitList
              title={t("grid.compoundsSplit", { n: g.compounds_split })}
              units={[...compoundsSplit].filter(([, v]) => v.grids.has(g.code))}
              label={(id) => props.compoundName(id) ?? t("compound.n", { id })}
              onZoom={props.onZoom}
            />
            {props.editable && (
              <div className="row-actions grid-actions">
                <button type="button" onClick={props.onLock} data-testid="lock">
                  {g.locked ? t("grid.unlock") : t("grid.lock")}
                </button>
                <button type="button" onClick={props.onSplit} disabled={g.locked}>
                  ✂ {t("editor.tool.split")}
                </button>
                <button type="button" onClick={props.onMerge} disabled={g.locked}>
                  ⊕ {t("editor.tool.merge")}
                </button>
                <button
                  type="button"
                  className="danger"
                  onClick={props.onDelete}
                  disabled={g.locked}
                  data-testid="delete-grid"
                >
                  {t("grid.delete.action")}
                </button>
              </div>
            )}
          </section>
        ) : (
          <p className="muted">{props.editable ? t("editor.selectHint") : t("editor.selectHintRead")}</p>
        )}

        <section className="community-summary" data-testid="community-summary">
          <h3 className="panel-section">
            {props.communityName} · {t("grid.count", { n: grids.length })}
          </h3>
          <div className="summary-line">
            <span data-testid="community-households">{t("household.count", { n: n(households) })}</span>
            <span className="st-under">▼ {count("under")}</span>
            <span className="st-ok">✓ {count("ok")}</span>
            <span className="st-over">▲ {count("over")}</span>
            <span>{t("grid.buildingsSplitShort", { n: buildingsSplit.size })}</span>
            <span>{t("grid.compoundsSplitShort", { n: compoundsSplit.size })}</span>
          </div>
          {proof && (
            <p className="muted" data-testid="community-bound">
              {outOfBand === 0
                ? t("editor.bound.none", { band: `${proof.min}–${proof.max}` })
                : proof.bound === 0
                  ? t("editor.bound.unproven", { band: `${proof.min}–${proof.max}`, n: outOfBand })
                  : t("editor.bound", {
                      bound: proof.bound,
                      band: `${proof.min}–${proof.max}`,
                      n: outOfBand,
                      rule: proof.keepBuildings ? t("editor.bound.keepBuildings") : "",
                      verdict: t(outOfBand <= proof.bound ? "editor.bound.optimal" : "editor.bound.better"),
                    })}
            </p>
          )}
          <button
            type="button"
            onClick={props.onNextProblem}
            disabled={problems === 0}
            data-testid="next-problem"
            title="N"
          >
            {t("editor.nextProblem", { n: problems })}
          </button>
          <History entries={props.history} t={t} lang={lang} />
          <SummaryTable
            grids={grids}
            selected={props.selected}
            onSelect={(c) => props.onSelect(c, true)}
            t={t}
            lang={lang}
          />
        </section>
      </div>
    </aside>
  );
}

function Figure(props: { label: string; value: React.ReactNode; testId?: string }) {
  return (
    <div className="stat">
      <dt>{props.label}</dt>
      <dd data-testid={props.testId}>{props.value}</dd>
    </div>
  );
}

/** ▲▼✓ with the distance to the band in households. */
function Band({ g, t, lang }: { g: GridFigures; t: Translate; lang: Lang }) {
  const gap =
    g.status === "under"
      ? t("band.status.needsMore", { n: formatNumber(lang, g.band_min - g.households) })
      : g.status === "over"
        ? t("band.status.needsFewer", { n: formatNumber(lang, g.households - g.band_max) })
        : t("band.status.inBand", { min: g.band_min, max: g.band_max });
  return (
    <div className={`band band-${g.status}`} data-testid="fig-status" data-status={g.status}>
      <span className={`band-symbol band-bg-${g.status}`} aria-hidden="true">
        {SYMBOLS[g.status]}
      </span>
      <span>
        <strong>{t(`band.status.${g.status}` as MessageKey)}</strong>
        <span className="band-gap">{gap}</span>
      </span>
    </div>
  );
}

function SplitList(props: {
  title: string;
  units: Array<[number, { grids: Set<string>; parcels: number[] }]>;
  label: (id: number) => string;
  onZoom: (parcels: number[]) => void;
}) {
  return (
    <div className="split-list">
      <div className="split-title">{props.title}</div>
      {props.units.length > 0 && (
        <ul className="plain-list">
          {props.units.map(([id, v]) => (
            <li key={id}>
              <button type="button" className="link-button" onClick={() => props.onZoom(v.parcels)}>
                {props.label(id)}
              </button>
              <span className="muted">
                {" "}
                {[...v.grids]
                  .map((c) => c.slice(-3))
                  .sort()
                  .join(" / ")}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function SummaryTable(props: {
  grids: GridFigures[];
  selected: string | null;
  onSelect: (code: string) => void;
  t: Translate;
  lang: Lang;
}) {
  const { t, lang } = props;
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: "code", desc: false });
  const value = (g: GridFigures): number | string =>
    sort.key === "code" ? g.code : sort.key === "pieces" ? Math.max(1, g.pieces.length) : g[sort.key];
  const rows = [...props.grids].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    const c = x < y ? -1 : x > y ? 1 : 0;
    return sort.desc ? -c : c;
  });
  const head = (key: SortKey, label: string, num = true) => (
    <th
      className={num ? "num" : undefined}
      aria-sort={sort.key === key ? (sort.desc ? "descending" : "ascending") : "none"}
    >
      <button
        type="button"
        className="sort"
        onClick={() => setSort({ key, desc: sort.key === key ? !sort.desc : key !== "code" })}
        data-testid={`sort-${key}`}
      >
        {label}
        {sort.key === key ? (sort.desc ? " ↓" : " ↑") : ""}
      </button>
    </th>
  );
  return (
    <div className="table-scroll">
      <table className="table summary-table" data-testid="summary-table">
        <thead>
          <tr>
            {head("code", t("editor.col.grid"), false)}
            {head("households", t("editor.col.households"))}
            {head("compactness", t("editor.col.compactness"))}
            {head("roads_share", t("editor.col.roads"))}
            {head("buildings_split", t("editor.col.buildings"))}
            {head("compounds_split", t("editor.col.compounds"))}
            {head("pieces", t("editor.col.pieces"))}
          </tr>
        </thead>
        <tbody>
          {rows.map((g) => (
            <tr
              key={g.code}
              className={g.code === props.selected ? "row-selected" : undefined}
              onClick={() => props.onSelect(g.code)}
              data-code={g.code}
            >
              <td>
                {g.code.slice(-3)}
                {g.locked ? t("grid.lockedMark") : ""}
              </td>
              <td className={`num ${STATUS_CLASS[g.status]}`}>
                {SYMBOLS[g.status]} {formatNumber(lang, g.households)}
              </td>
              <td className="num">{formatNumber(lang, g.compactness, 2)}</td>
              <td className="num">{formatNumber(lang, g.roads_share * 100)}%</td>
              <td className="num">{g.buildings_split || ""}</td>
              <td className="num">{g.compounds_split || ""}</td>
              <td className={g.contiguous ? "num" : "num st-over"}>{g.contiguous ? "" : g.pieces.length}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The draft's edits, newest first, undone ones struck through; collapsed until asked for. */
function History({ entries, t, lang }: { entries: HistoryEntry[]; t: Translate; lang: Lang }) {
  if (!entries.length) return null;
  return (
    <details className="history" data-testid="history">
      <summary>{t("editor.history", { n: entries.length })}</summary>
      <ol className="plain-list">
        {entries.map((h) => {
          const key = `audit.action.plan_${h.action}`;
          return (
            <li key={h.id} className={h.state === "undone" ? "history-undone" : undefined}>
              <span className="muted">v{h.version}</span> {isMessageKey(key) ? t(key) : h.action} ·{" "}
              {t("parcel.count", { n: h.parcels })} · <code>{h.actor}</code>{" "}
              <span className="muted">{formatDateTime(lang, h.at)}</span>
            </li>
          );
        })}
      </ol>
    </details>
  );
}
