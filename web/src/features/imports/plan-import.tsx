import { type ReactNode, useCallback, useState } from "react";
import { type ApiError, importPlan, toApiError } from "../../api.ts";
import { formatNumber, useLang } from "../../i18n/lang.ts";
import { today as subdistrictToday } from "../../i18n/time.ts";
import { followLink } from "../../router.ts";
import { FieldSelect } from "./field-select.tsx";
import { type FileRead, FileStep } from "./file-step.tsx";
import { GIS_FILE_ACCEPT } from "./import-options.ts";
import { type MapOverlay, PROBLEM_COLORS, type ProblemKind } from "./imports-layers.ts";
import { ErrorBox, Working } from "./parts.tsx";

/** What the server found wrong with hand-drawn grids (`POST /api/imports/plans`, `report`). */
export type PlanReport = {
  drawn_grids: number;
  parcels_by_cover: number;
  parcels_filled_from_neighbours: number;
  outside_subdistrict: number[];
  overlaps: Array<{ a: number; b: number; area_m2: number }>;
  gaps: Array<{ community: string; area_m2: number }>;
  buildings_split: Array<{ id: number; name: string | null; grids: number[] }>;
  compounds_split: Array<{ id: number; name: string | null; grids: number[] }>;
  codes_changed: Array<{ row: number; from: string; to: string }>;
  communities_without_grid: string[];
};

type Result = {
  plan_id: number | null;
  grids: number;
  parcels: number;
  report: PlanReport;
  geometry: GeoJSON.FeatureCollection;
};

/**
 * Importing grids drawn by hand: the file step, the draft's name and the columns of grid code and name, then the
 * draft plan the server made (each parcel to the drawn grid covering most of it) and what was wrong with the
 * drawing — overlaps, gaps, split buildings and compounds — on the map and as a list, with a link to the editor.
 */
export function PlanImport(props: {
  onMap: (overlay: MapOverlay) => void;
  onFocus: (feature: GeoJSON.Feature) => void;
}) {
  const { t } = useLang();
  const [read, setRead] = useState<FileRead | null>(null);
  const [name, setName] = useState(() => t("import.plan.defaultName", { date: subdistrictToday() }));
  const [codeField, setCodeField] = useState("");
  const [nameField, setNameField] = useState("");
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<(Result & { dryRun: boolean }) | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const { onMap } = props;

  const onRead = useCallback(
    (r: FileRead | null) => {
      setRead(r);
      setResult(null);
      setError(null);
      onMap({ preview: r?.preview.features ?? null, badRows: [], problems: null });
    },
    [onMap],
  );

  const run = async (dryRun: boolean) => {
    if (!read) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const r = (await importPlan({
        ...read.options,
        name: name.trim(),
        ...(codeField ? { code_field: codeField } : {}),
        ...(nameField ? { name_field: nameField } : {}),
        dry_run: dryRun,
      })) as unknown as Result;
      setResult({ ...r, dryRun });
      onMap({ preview: read.preview.features, badRows: [], problems: r.geometry });
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setBusy(false);
    }
  };

  const fields = read?.preview.fields ?? [];
  return (
    <div className="data-tab" data-testid="plan-import">
      <p className="muted">{t("import.plan.intro")}</p>
      <FileStep accept={GIS_FILE_ACCEPT} onRead={onRead} />
      {read && (
        <section className="data-step">
          <h3>{t("import.plan.title")}</h3>
          <label className="data-row">
            <span>{t("import.plan.name")}</span>
            <input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} data-testid="plan-name" />
          </label>
          {(
            [
              ["import.plan.codeField", codeField, setCodeField],
              ["import.plan.nameField", nameField, setNameField],
            ] as const
          ).map(([label, value, set]) => (
            <label key={label} className="data-row">
              <span>{t(label)}</span>
              <FieldSelect value={value} onChange={set} fields={fields} none={t("import.file.auto")} />
            </label>
          ))}
          <div className="row-actions">
            <button type="button" disabled={busy} onClick={() => void run(true)}>
              {t("import.plan.check")}
            </button>
            <button
              type="button"
              className="primary"
              disabled={busy || !name.trim()}
              onClick={() => void run(false)}
              data-testid="plan-run"
            >
              {t("import.plan.import")}
            </button>
          </div>
          {busy && <Working label={t("import.plan.working")} hint={t("import.plan.workingHint")} />}
          {error && <ErrorBox error={error} />}
          {result && <PlanResult result={result} name={name} onFocus={props.onFocus} />}
        </section>
      )}
    </div>
  );
}

function PlanResult(props: {
  result: Result & { dryRun: boolean };
  name: string;
  onFocus: (feature: GeoJSON.Feature) => void;
}) {
  const { lang, t } = useLang();
  const { report, geometry } = props.result;
  const m2 = (n: number) => `${formatNumber(lang, n, 0)} m²`;
  // Rows of the imported file, as a spreadsheet numbers them.
  const rows = (list: number[]) => list.map((r) => t("import.plan.row", { n: r })).join("、");
  // The report's lists and the geometry's features of a kind come in the same order.
  const featureOf = (kind: ProblemKind, i: number) => geometry.features.filter((f) => f.properties?.kind === kind)[i];
  const item = (kind: ProblemKind, i: number, text: string) => {
    const feature = featureOf(kind, i);
    return (
      <li key={`${kind}-${i}`} data-kind={kind}>
        <span className="data-swatch" style={{ background: PROBLEM_COLORS[kind] }} />
        {feature ? (
          <button type="button" className="link-button" onClick={() => props.onFocus(feature)}>
            {text}
          </button>
        ) : (
          text
        )}
      </li>
    );
  };
  const sections: Array<{ key: "overlaps" | "gaps" | "buildings" | "compounds"; items: ReactNode[] }> = [
    {
      key: "overlaps",
      items: report.overlaps.map((o, i) =>
        item("overlap", i, t("import.plan.overlap", { a: o.a, b: o.b, area: m2(o.area_m2) })),
      ),
    },
    {
      key: "gaps",
      items: report.gaps.map((g, i) =>
        item("gap", i, t("import.plan.gap", { community: g.community, area: m2(g.area_m2) })),
      ),
    },
    {
      key: "buildings",
      items: report.buildings_split.map((b, i) =>
        item(
          "building_split",
          i,
          t("import.plan.split", { name: b.name ?? t("building.n", { id: b.id }), rows: rows(b.grids) }),
        ),
      ),
    },
    {
      key: "compounds",
      items: report.compounds_split.map((c, i) =>
        item(
          "compound_split",
          i,
          t("import.plan.split", { name: c.name ?? t("compound.n", { id: c.id }), rows: rows(c.grids) }),
        ),
      ),
    },
  ];
  return (
    <div className="data-report" data-testid="plan-report" data-plan={props.result.plan_id ?? ""}>
      <div className="notice-inline" role="status">
        {props.result.dryRun || props.result.plan_id === null
          ? t("import.plan.checked", { grids: props.result.grids, parcels: props.result.parcels })
          : t("import.plan.created", {
              name: props.name,
              id: props.result.plan_id,
              grids: props.result.grids,
              parcels: props.result.parcels,
            })}{" "}
        {props.result.plan_id !== null && (
          <a href={`/plans/${props.result.plan_id}`} onClick={followLink} data-testid="plan-open">
            {t("import.plan.open")}
          </a>
        )}
      </div>
      <p className="muted">
        {t("import.plan.coverStats", {
          drawn: report.drawn_grids,
          cover: report.parcels_by_cover,
          filled: report.parcels_filled_from_neighbours,
        })}
      </p>
      {report.outside_subdistrict.length > 0 && (
        <p>{t("import.plan.outside", { rows: rows(report.outside_subdistrict) })}</p>
      )}
      {report.communities_without_grid.length > 0 && (
        <p>{t("import.plan.withoutGrid", { codes: report.communities_without_grid.join("、") })}</p>
      )}
      {report.codes_changed.length > 0 && (
        <p>
          {t("import.plan.codesChanged", {
            list: report.codes_changed
              .map((c) => `${t("import.plan.row", { n: c.row })} ${c.from} → ${c.to}`)
              .join("；"),
          })}
        </p>
      )}
      {sections.map((s) => (
        <div key={s.key} className="data-problems" data-testid={`plan-${s.key}`} data-count={s.items.length}>
          <h4>
            {t(`import.plan.${s.key}`)} ({s.items.length})
          </h4>
          {s.items.length ? (
            <ul className="plain-list">{s.items}</ul>
          ) : (
            <p className="muted">{t("import.plan.none")}</p>
          )}
        </div>
      ))}
    </div>
  );
}
