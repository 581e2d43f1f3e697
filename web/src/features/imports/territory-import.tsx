import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  type ApiError,
  fetchSubdistrict,
  type ImportJob,
  previewTerritory,
  startTerritoryImport,
  type TerritoryPreviewRequest,
  toApiError,
} from "../../api.ts";
import { formatNumber, useLang } from "../../i18n/lang.ts";
import { followLink } from "../../router.ts";
import { TableHead } from "../../ui/table-head.tsx";
import { FieldSelect } from "./field-select.tsx";
import { crsLabel, GIS_FILE_ACCEPT } from "./import-options.ts";
import { BAD_COLOR, type MapOverlay, PROBLEM_COLORS, TERRITORY_LAYER_COLORS } from "./imports-layers.ts";
import { ImportJobView, type SummaryKey, useImportJob } from "./job-view.tsx";
import { CrsSelect, EncodingSelect, ErrorBox, Working } from "./parts.tsx";
import { formatBytes, uploadFile } from "./upload.ts";

/** The files of a territory import: GIS layers, and the households spreadsheet. */
type Slot = "communities" | "buildings" | "roads" | "compounds" | "water" | "landuse" | "households";
type MapLayer = Exclude<Slot, "households">;

/** What each field of a layer means, by the import's own names (geodata/src/territory/fields.ts). */
type Meaning =
  | "communityName"
  | "communityCode"
  | "buildingCode"
  | "buildingName"
  | "use"
  | "floors"
  | "households"
  | "entrances"
  | "roadName"
  | "roadClass"
  | "compoundName"
  | "waterName"
  | "waterKind"
  | "landuseName"
  | "landuseKind";

const SLOTS: { slot: Slot; required: boolean; accept: string; meanings: Meaning[] }[] = [
  { slot: "communities", required: true, accept: GIS_FILE_ACCEPT, meanings: ["communityName", "communityCode"] },
  {
    slot: "buildings",
    required: true,
    accept: GIS_FILE_ACCEPT,
    meanings: ["buildingCode", "buildingName", "use", "floors", "households", "entrances"],
  },
  { slot: "roads", required: true, accept: GIS_FILE_ACCEPT, meanings: ["roadName", "roadClass"] },
  { slot: "compounds", required: false, accept: GIS_FILE_ACCEPT, meanings: ["compoundName"] },
  { slot: "water", required: false, accept: GIS_FILE_ACCEPT, meanings: ["waterName", "waterKind"] },
  { slot: "landuse", required: false, accept: GIS_FILE_ACCEPT, meanings: ["landuseName", "landuseKind"] },
  { slot: "households", required: false, accept: ".csv,.xlsx", meanings: [] },
];

/**
 * A new territory from all its layers, or an update of one (a corrected buildings layer, with its households): the
 * slots each offers.
 */
type Mode = "new" | "update";
const UPDATE_SLOTS: Slot[] = ["buildings", "households"];
const slotsOf = (mode: Mode) => (mode === "new" ? SLOTS : SLOTS.filter((s) => UPDATE_SLOTS.includes(s.slot)));

/** Bottom to top on the map: communities, landuse and water under compounds under buildings, roads over all. */
const DRAW_ORDER: MapLayer[] = ["communities", "landuse", "water", "compounds", "buildings", "roads"];

const SUMMARY_KEYS: SummaryKey[] = [
  "communities",
  "buildings",
  "entrances",
  "parcels",
  "households",
  "households_estimated",
  "roads",
  "grids",
  "out_of_band_grids",
];

/** The territory importer's steps (geodata/src/territory/import.ts), as it names them. */
const STEP_KEYS = {
  "reading the layers": "import.territory.step.read",
  communities: "import.territory.step.communities",
  roads: "import.territory.step.roads",
  "buildings and entrances": "import.territory.step.buildings",
  "blocks and parcels": "import.territory.step.parcels",
  "proposing a plan": "import.territory.step.plan",
} as const;

/** One thing wrong with the layers: the layer, the row (null: the layer as a whole), the field. */
export type LayerProblem = {
  layer: string;
  row: number | null;
  field: string | null;
  zh: string;
  en: string;
  geometry?: unknown;
};

type LayerPreview = {
  file: string;
  crs: string | null;
  crs_from: "request" | "file" | "guess" | "none";
  encoding: string | null;
  fields: { name: string; type: string }[];
  matched: Partial<Record<Meaning, string>>;
  total: number;
  features: GeoJSON.FeatureCollection;
};

type Preview = {
  layers: Partial<Record<MapLayer, LayerPreview>>;
  households: { file: string; rows: number } | null;
  problems: LayerProblem[];
  complete: boolean;
};

type Sent = { name: string; received: number; size: number; id: string | null };
type Reading = { crs?: string; encoding?: "UTF-8" | "GBK"; fields: Partial<Record<Meaning, string>> };

/** The files uploaded so far and the reading options, as the preview and the import take them. */
const request = (files: Partial<Record<Slot, string>>, r: Reading) => ({
  ...(files.communities ? { communities_file: files.communities } : {}),
  ...(files.buildings ? { buildings_file: files.buildings } : {}),
  ...(files.roads ? { roads_file: files.roads } : {}),
  ...(files.compounds ? { compounds_file: files.compounds } : {}),
  ...(files.water ? { water_file: files.water } : {}),
  ...(files.landuse ? { landuse_file: files.landuse } : {}),
  ...(files.households ? { households_file: files.households } : {}),
  ...(r.crs ? { crs: r.crs } : {}),
  ...(r.encoding ? { encoding: r.encoding } : {}),
  ...(Object.keys(r.fields).length ? { fields: r.fields as Record<string, string> } : {}),
});

/**
 * 导入辖区 (issue 18): a new territory from a subdistrict office's own layers. Each file is uploaded as it is
 * chosen, and the layers so far are read and checked by the server without writing anything: drawn on the map,
 * with the CRS (declared or guessed, overridable), the encoding, the fields matched (editable) and every problem by
 * layer and row. Once the three required layers read cleanly, the import runs as a job with its steps, to its
 * summary and a link to the draft plan it proposed, or to its refusal and report, the database unchanged.
 */
export function TerritoryImport(props: { onMap: (overlay: MapOverlay) => void }) {
  const { lang, t } = useLang();
  const [sent, setSent] = useState<Partial<Record<Slot, Sent>>>({});
  const [reading, setReading] = useState<Reading>({ fields: {} });
  const [preview, setPreview] = useState<(Preview & { version: number }) | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [mode, setMode] = useState<Mode>("new");
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [band, setBand] = useState({ min: "200", max: "300" });
  const [job, setJob] = useImportJob(setError);
  const [starting, setStarting] = useState(false);
  const asked = useRef(0);
  const { onMap } = props;

  // The uploads finished so far; a ref too, so that two files sent at once both reach the check after them.
  const [ids, setIds] = useState<Partial<Record<Slot, string>>>({});
  const uploaded = useRef<Partial<Record<Slot, string>>>({});
  const setUploaded = (next: Partial<Record<Slot, string>>) => {
    uploaded.current = next;
    setIds(next);
  };

  const check = useCallback(async (files: Partial<Record<Slot, string>>, r: Reading) => {
    const n = ++asked.current;
    setPreviewing(true);
    setError(null);
    try {
      const p = (await previewTerritory(request(files, r) as TerritoryPreviewRequest)) as unknown as Preview;
      if (n === asked.current) setPreview({ ...p, version: n });
    } catch (err) {
      if (n === asked.current) setError(toApiError(err));
    } finally {
      if (n === asked.current) setPreviewing(false);
    }
  }, []);

  const choose = async (slot: Slot, file: File | undefined) => {
    setJob(null);
    const { [slot]: _replaced, ...others } = uploaded.current;
    setUploaded(others);
    if (!file) {
      setSent(({ [slot]: _gone, ...rest }) => rest);
      if (Object.keys(others).length) void check(others, reading);
      else setPreview(null);
      return;
    }
    setSent((s) => ({ ...s, [slot]: { name: file.name, received: 0, size: file.size, id: null } }));
    try {
      const upload = await uploadFile(file, (received, size) =>
        setSent((s) => ({ ...s, [slot]: { name: file.name, received, size, id: null } })),
      );
      setSent((s) => ({ ...s, [slot]: { name: file.name, received: file.size, size: file.size, id: upload.id } }));
      const files = { ...uploaded.current, [slot]: upload.id };
      setUploaded(files);
      void check(files, reading);
    } catch (err) {
      setSent(({ [slot]: _failed, ...rest }) => rest);
      setError(toApiError(err));
    }
  };

  // Another mode offers other slots: what was chosen for the one before is dropped, and nothing is checked yet.
  const switchTo = (next: Mode) => {
    if (next === mode) return;
    asked.current++;
    setMode(next);
    setUploaded({});
    setSent({});
    setPreview(null);
    setPreviewing(false);
    setJob(null);
    setError(null);
    // An update names the territory it updates: the one the app shows, unless another code was typed.
    if (next === "update" && !code.trim()) {
      void fetchSubdistrict()
        .then((s) => setCode((c) => c || s.code))
        .catch(() => undefined);
    }
  };

  const reread = (patch: Partial<Reading>) => {
    const next = { ...reading, ...patch };
    setReading(next);
    setJob(null);
    if (Object.keys(ids).length) void check(ids, next);
  };

  const mapField = (meaning: Meaning, field: string) => {
    const { [meaning]: _old, ...rest } = reading.fields;
    reread({ fields: field ? { ...rest, [meaning]: field } : rest });
  };

  const refused = useMemo(() => (job?.state === "failed" ? problemsOf(job) : null), [job]);

  // The layers on the map, rows with a problem in red, and a refused import's gaps in their own colour.
  useEffect(() => {
    const problems = refused ?? preview?.problems ?? [];
    const bad = new Set(problems.filter((p) => p.row !== null).map((p) => `${p.layer}:${p.row}`));
    const features = DRAW_ORDER.flatMap((layer) =>
      (preview?.layers[layer]?.features.features ?? []).map((f) =>
        bad.has(`${layer}:${f.id}`) ? { ...f, properties: { ...f.properties, bad: true } } : f,
      ),
    );
    const outlines = problems.flatMap((p) =>
      p.geometry
        ? [{ type: "Feature" as const, properties: { kind: "gap" }, geometry: p.geometry as GeoJSON.Geometry }]
        : [],
    );
    const legend: NonNullable<MapOverlay["legend"]> = DRAW_ORDER.flatMap((layer) => {
      const l = preview?.layers[layer];
      return l
        ? [
            {
              color: TERRITORY_LAYER_COLORS[layer],
              label: `${t(`import.territory.layer.${layer}`)}（${formatNumber(lang, l.total)}）`,
              testId: `legend-${layer}`,
            },
          ]
        : [];
    });
    if (bad.size)
      legend.push({ color: BAD_COLOR, label: t("import.map.badRows", { n: bad.size }), testId: "legend-bad" });
    if (outlines.length)
      legend.push({ color: PROBLEM_COLORS.gap, label: t("import.territory.gap"), testId: "legend-gap" });
    onMap({
      preview: features.length ? { type: "FeatureCollection", features } : null,
      badRows: [],
      problems: outlines.length ? { type: "FeatureCollection", features: outlines } : null,
      legend,
    });
  }, [preview, refused, onMap, t, lang]);

  const uploading = Object.values(sent).some((s) => s && s.id === null);
  const running = job?.state === "running";
  const slots = slotsOf(mode);
  const missing = slots.filter((s) => s.required && !ids[s.slot]);
  const problems = preview?.problems ?? [];
  const bandOk = /^\d+$/.test(band.min) && /^\d+$/.test(band.max) && Number(band.min) <= Number(band.max);
  const codeOk = mode === "update" ? /^\d{9}$/.test(code.trim()) : code.trim() === "" || /^\d{9}$/.test(code.trim());
  // An update reads buildings (and households) only; a new territory needs the server's word that all is there.
  const complete = mode === "update" ? !!preview && missing.length === 0 : !!preview?.complete;
  const ready = complete && problems.length === 0 && !previewing && !uploading && bandOk && codeOk && !running;

  const start = async () => {
    if (!ready || !ids.buildings) return;
    setError(null);
    setJob(null);
    setStarting(true);
    try {
      setJob(
        await startTerritoryImport(
          mode === "update"
            ? {
                kind: "territory",
                ...request(ids, reading),
                buildings_file: ids.buildings,
                subdistrict_code: code.trim(),
                update: true,
              }
            : ({
                kind: "territory",
                ...request(ids, reading),
                buildings_file: ids.buildings,
                ...(code.trim() ? { subdistrict_code: code.trim() } : {}),
                ...(name.trim() ? { name: name.trim() } : {}),
                band: { min: Number(band.min), max: Number(band.max) },
              } as Parameters<typeof startTerritoryImport>[0]),
        ),
      );
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setStarting(false);
    }
  };

  const summary = job?.state === "done" ? (job.summary as { plan_id?: number | null } | undefined) : undefined;
  return (
    <div className="data-tab" data-testid="territory-import">
      <fieldset className="territory-mode" data-testid="territory-mode">
        <legend>{t("import.territory.mode")}</legend>
        {(["new", "update"] as const).map((m) => (
          <label key={m}>
            <input
              type="radio"
              name="territory-mode"
              value={m}
              checked={mode === m}
              disabled={running || starting}
              onChange={() => switchTo(m)}
              data-testid={`territory-mode-${m}`}
            />{" "}
            {t(`import.territory.mode.${m}`)}
          </label>
        ))}
      </fieldset>
      <p className="muted">{t(mode === "new" ? "import.territory.intro" : "import.territory.updateIntro")}</p>
      <section className="data-step">
        <h3>{t("import.territory.filesTitle")}</h3>
        {slots.map(({ slot, required, accept }) => {
          const s = sent[slot];
          return (
            <div key={slot} className="territory-slot" data-testid={`territory-slot-${slot}`}>
              <label className="data-row">
                <span>
                  {t(`import.territory.file.${slot}`)}
                  {required ? <span className="data-required"> *</span> : ` ${t("import.territory.optional")}`}
                </span>
                <input
                  type="file"
                  accept={accept}
                  onChange={(e) => void choose(slot, e.target.files?.[0])}
                  disabled={running}
                  data-testid={`territory-file-${slot}`}
                />
              </label>
              {s && s.id === null && (
                <div className="data-progress">
                  <progress max={s.size} value={s.received} />
                  <span>
                    {t("import.file.uploading", { received: formatBytes(s.received), size: formatBytes(s.size) })}
                  </span>
                </div>
              )}
            </div>
          );
        })}
        {previewing && <Working label={t("import.territory.checking")} />}
        {error && <ErrorBox error={error} />}
      </section>
      {preview && (
        <section
          className="data-step"
          data-testid="territory-preview"
          data-complete={preview.complete}
          data-version={preview.version}
        >
          <h3>{t("import.territory.previewTitle")}</h3>
          <CrsSelect value={reading.crs ?? ""} onChange={(crs) => reread({ crs })} testId="territory-crs-select" />
          <EncodingSelect
            value={reading.encoding ?? ""}
            found={Object.values(preview.layers)[0]?.encoding ?? null}
            onChange={(encoding) => reread({ encoding })}
            testId="territory-encoding-select"
          />
          {SLOTS.filter((s) => s.meanings.length > 0).map(({ slot, meanings }) => {
            const l = preview.layers[slot as MapLayer];
            if (!l) return null;
            return (
              <LayerCard
                key={slot}
                layer={slot as MapLayer}
                preview={l}
                meanings={meanings}
                given={reading.fields}
                onMap={mapField}
              />
            );
          })}
          {preview.households && (
            <p data-testid="territory-households">
              {t("import.territory.householdsRows", {
                file: preview.households.file,
                n: formatNumber(lang, preview.households.rows),
              })}
            </p>
          )}
          {problems.length > 0 ? (
            <>
              <ProblemTable problems={problems} testId="territory-problems" />
              {problems.some((p) => p.field === ".prj" || /--crs/.test(p.en)) && (
                <p className="muted" data-testid="territory-crs-hint">
                  {t("import.territory.crsHint")}
                </p>
              )}
            </>
          ) : (
            complete && (
              <p className="notice-inline" role="status" data-testid="territory-clean">
                {t(mode === "new" ? "import.territory.clean" : "import.territory.cleanUpdate")}
              </p>
            )
          )}
        </section>
      )}
      <section className="data-step">
        <h3>{t("import.territory.optionsTitle")}</h3>
        <label className="data-row">
          <span>{t("import.osm.code")}</span>
          <input
            value={code}
            onChange={(e) => setCode(e.target.value)}
            inputMode="numeric"
            maxLength={9}
            placeholder={t(mode === "new" ? "import.territory.codeFromCommunities" : "import.territory.codeToUpdate")}
            required={mode === "update"}
            aria-invalid={!codeOk}
            data-testid="territory-code"
          />
        </label>
        {mode === "new" && (
          <>
            <label className="data-row">
              <span>{t("import.osm.name")}</span>
              <input
                value={name}
                onChange={(e) => setName(e.target.value)}
                maxLength={100}
                data-testid="territory-name"
              />
            </label>
            <div className="data-row">
              <span>{t("import.territory.band")}</span>
              <span className="territory-band">
                <input
                  value={band.min}
                  onChange={(e) => setBand({ ...band, min: e.target.value })}
                  inputMode="numeric"
                  aria-label={t("import.territory.bandMin")}
                  aria-invalid={!bandOk}
                  data-testid="territory-band-min"
                />
                –
                <input
                  value={band.max}
                  onChange={(e) => setBand({ ...band, max: e.target.value })}
                  inputMode="numeric"
                  aria-label={t("import.territory.bandMax")}
                  aria-invalid={!bandOk}
                  data-testid="territory-band-max"
                />
                {t("import.territory.households")}
              </span>
            </div>
          </>
        )}
        <div className="row-actions">
          <button
            type="button"
            className="primary"
            disabled={!ready || starting}
            onClick={() => void start()}
            data-testid="territory-start"
          >
            {t("import.territory.start")}
          </button>
        </div>
        {!running && (
          <p className="muted" data-testid="territory-start-hint">
            {missing.length > 0
              ? t("import.territory.needs", {
                  layers: missing.map((s) => t(`import.territory.layer.${s.slot as MapLayer}`)).join("、"),
                })
              : problems.length > 0
                ? t("import.territory.fixFirst")
                : !bandOk
                  ? t("import.territory.badBand")
                  : !codeOk
                    ? t(mode === "new" ? "import.territory.badCode" : "import.territory.codeToUpdate")
                    : t(mode === "new" ? "import.territory.draftNote" : "import.territory.updateNote")}
          </p>
        )}
      </section>

      {job && (
        <ImportJobView
          job={job}
          testId="territory"
          summaryKeys={SUMMARY_KEYS}
          stepLabel={(label) => (label in STEP_KEYS ? t(STEP_KEYS[label as keyof typeof STEP_KEYS]) : label)}
          foldLog
          error={
            job.error && (
              <div className="data-report" data-testid="territory-report" data-code={job.error.code}>
                <div className="data-error" role="alert">
                  <strong>{t("data.error")}</strong> {lang === "zh" ? job.error.zh : job.error.en}
                </div>
                {refused && refused.length > 0 && <ProblemTable problems={refused} testId="territory-refusal" />}
              </div>
            )
          }
        >
          {summary?.plan_id && (
            <p>
              <a
                href={`/plans/${summary.plan_id}`}
                onClick={followLink}
                className="button primary"
                data-testid="territory-plan-link"
              >
                {t(mode === "new" ? "import.territory.openPlan" : "import.territory.openUpdated")}
              </a>
            </p>
          )}
        </ImportJobView>
      )}
    </div>
  );
}

/** The problems a refused import listed (error.details.problems), or none. */
function problemsOf(job: ImportJob): LayerProblem[] {
  const details = job.error?.details as { problems?: LayerProblem[] } | undefined;
  return details?.problems ?? [];
}

/** One layer as read: its file, count, CRS, encoding, and its fields matched to what they mean (editable). */
function LayerCard(props: {
  layer: MapLayer;
  preview: LayerPreview;
  meanings: Meaning[];
  given: Reading["fields"];
  onMap: (meaning: Meaning, field: string) => void;
}) {
  const { lang, t } = useLang();
  const l = props.preview;
  return (
    <div className="territory-layer" data-testid={`territory-layer-${props.layer}`} data-total={l.total}>
      <h4>
        <span className="data-swatch" style={{ background: TERRITORY_LAYER_COLORS[props.layer] }} />
        {t(`import.territory.layer.${props.layer}`)}
        <span className="muted">
          {" "}
          {l.file} · {t("import.territory.features", { n: formatNumber(lang, l.total) })}
        </span>
      </h4>
      <div className="data-row" data-testid={`territory-crs-${props.layer}`} data-crs={l.crs ?? ""}>
        <span>{t("import.file.crs")}</span>
        <strong>{crsLabel(lang, l.crs)}</strong>
        <span className="muted">{t(`import.crs.source.${l.crs_from}`)}</span>
      </div>
      {l.encoding && (
        <div className="data-row">
          <span>{t("import.file.encoding")}</span>
          <span>{l.encoding === "from .cpg" ? t("import.file.fromCpg") : l.encoding}</span>
        </div>
      )}
      <table className="table data-mapping">
        <TableHead columns={["import.territory.meaning", "import.layer.fileField"]} />
        <tbody>
          {props.meanings.map((m) => (
            <tr key={m} data-meaning={m} data-matched={l.matched[m] ?? ""}>
              <td>{t(`import.territory.field.${m}`)}</td>
              <td>
                <FieldSelect
                  value={props.given[m] ?? l.matched[m] ?? ""}
                  onChange={(v) => props.onMap(m, v)}
                  fields={l.fields}
                  none={t("import.territory.unmatched")}
                  testId={`territory-map-${m}`}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Problems by layer, row and field, in the UI language; row null is the layer as a whole. */
function ProblemTable(props: { problems: LayerProblem[]; testId: string }) {
  const { lang, t } = useLang();
  const layerName = (layer: string) =>
    layer in TERRITORY_LAYER_COLORS || layer === "households" ? t(`import.territory.layer.${layer as Slot}`) : layer;
  return (
    <table className="table" data-testid={props.testId}>
      <TableHead
        columns={[
          "import.territory.layer",
          { key: "import.report.row", className: "num" },
          "import.report.field",
          "import.report.problem",
        ]}
      />
      <tbody>
        {props.problems.map((p, i) => (
          <tr
            // biome-ignore lint/suspicious/noArrayIndexKey: the list is the server's, shown as it came.
            key={i}
            data-testid="territory-problem"
            data-layer={p.layer}
            data-row={p.row ?? ""}
            data-field={p.field ?? ""}
          >
            <td>{layerName(p.layer)}</td>
            <td className="num">{p.row === null ? t("import.territory.wholeLayer") : p.row}</td>
            <td>{p.field === null ? "—" : p.field === "geometry" ? t("import.report.geometry") : p.field}</td>
            <td>{lang === "zh" ? p.zh : p.en}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
