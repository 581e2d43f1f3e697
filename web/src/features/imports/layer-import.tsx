import { useCallback, useEffect, useState } from "react";
import { ApiError, importLayer, toApiError } from "../../api.ts";
import { formatNumber, isMessageKey, type Translate, useLang } from "../../i18n/lang.ts";
import { TableHead } from "../../ui/table-head.tsx";
import { FieldSelect } from "./field-select.tsx";
import { type FileRead, FileStep } from "./file-step.tsx";
import { GIS_FILE_ACCEPT, LAYER_TARGETS, type LayerTarget, TARGET_FIELDS } from "./import-options.ts";
import type { MapOverlay } from "./imports-layers.ts";
import { ErrorBox, Working } from "./parts.tsx";

/** One problem of one row, as the server reports it; row 0 is the file as a whole. */
export type RowProblem = { row: number; field: string; zh: string; en: string };

type Mapping = Record<string, string | null>;

type Outcome =
  | { kind: "imported"; count: number; dryRun: boolean; valid: number }
  | { kind: "refused"; error: ApiError; problems: RowProblem[] }
  | { kind: "failed"; error: ApiError };

/** The label of a target field, or its own name where the UI has none. */
export function fieldLabel(t: Translate, field: string): string {
  const key = `import.field.${field}`;
  return isMessageKey(key) ? t(key) : field;
}

/**
 * Importing a GIS layer into venues, hazards, cameras or buildings: the file step, then the target and the mapping
 * of its fields to the file's columns (prefilled with the server's own matching), then the import — all rows in one
 * transaction, or the report of every bad row and nothing written.
 */
export function LayerImport(props: { onMap: (overlay: MapOverlay) => void }) {
  const { lang, t } = useLang();
  const [read, setRead] = useState<FileRead | null>(null);
  const [target, setTarget] = useState<LayerTarget>("venues");
  const [mapping, setMapping] = useState<Mapping>({});
  const [busy, setBusy] = useState<"suggest" | "check" | "import" | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const { onMap } = props;

  const onRead = useCallback(
    (r: FileRead | null) => {
      setRead(r);
      setOutcome(null);
      onMap({ preview: r?.preview.features ?? null, badRows: [], problems: null });
    },
    [onMap],
  );

  // The server's own matching of columns to fields (by name, Chinese names included), asked as a dry run.
  useEffect(() => {
    if (!read) return;
    let current = true;
    setBusy("suggest");
    importLayer({ ...read.options, target, dry_run: true })
      .then(
        (r) => (r.report as { mapping: Mapping }).mapping,
        (err: unknown) => {
          const e = toApiError(err);
          return (e.details as { mapping?: Mapping } | undefined)?.mapping ?? {};
        },
      )
      .then((suggested) => {
        if (!current) return;
        setMapping(suggested);
        setBusy(null);
      });
    return () => {
      current = false;
    };
  }, [read, target]);

  const run = async (dryRun: boolean) => {
    if (!read) return;
    setBusy(dryRun ? "check" : "import");
    setOutcome(null);
    try {
      const full: Mapping = Object.fromEntries(TARGET_FIELDS[target].map((f) => [f.name, mapping[f.name] ?? null]));
      const r = await importLayer({ ...read.options, target, mapping: full, dry_run: dryRun });
      const report = r.report as { valid: number };
      setOutcome({ kind: "imported", count: r.imported, dryRun, valid: report.valid });
      onMap({ preview: read.preview.features, badRows: [], problems: null });
    } catch (err) {
      const e = toApiError(err);
      const problems = (e.details as { problems?: RowProblem[] } | undefined)?.problems;
      if (e instanceof ApiError && e.code === "invalid_rows" && problems) {
        setOutcome({ kind: "refused", error: e, problems });
        onMap({
          preview: read.preview.features,
          badRows: [...new Set(problems.map((p) => p.row).filter((row) => row > 0))],
          problems: null,
        });
      } else {
        setOutcome({ kind: "failed", error: e });
      }
    } finally {
      setBusy(null);
    }
  };

  const fields = read?.preview.fields ?? [];
  const missing = TARGET_FIELDS[target].filter((f) => f.required && !mapping[f.name]);

  return (
    <div className="data-tab" data-testid="layer-import">
      <FileStep accept={GIS_FILE_ACCEPT} onRead={onRead} />
      {read && (
        <section className="data-step" data-testid="mapping-step">
          <h3>{t("import.layer.mappingTitle")}</h3>
          <label className="data-row">
            <span>{t("import.layer.target")}</span>
            <select
              value={target}
              onChange={(e) => setTarget(e.target.value as LayerTarget)}
              data-testid="import-target"
            >
              {LAYER_TARGETS.map((x) => (
                <option key={x} value={x}>
                  {t(`layer.${x}`)}
                </option>
              ))}
            </select>
          </label>
          <table className="table data-mapping">
            <TableHead columns={["import.layer.ourField", "import.layer.fileField"]} />
            <tbody>
              {TARGET_FIELDS[target].map((f) => (
                <tr key={f.name}>
                  <td>
                    {fieldLabel(t, f.name)}
                    {f.required && <span className="data-required"> *</span>}
                  </td>
                  <td>
                    <FieldSelect
                      value={mapping[f.name] ?? ""}
                      onChange={(v) => setMapping({ ...mapping, [f.name]: v || null })}
                      fields={fields}
                      none={t("import.layer.unmapped")}
                      testId={`map-${f.name}`}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {missing.length > 0 && busy !== "suggest" && (
            <p className="muted">
              {t("import.layer.missing", { fields: missing.map((f) => fieldLabel(t, f.name)).join("、") })}
            </p>
          )}
          <div className="row-actions">
            <button type="button" disabled={!!busy} onClick={() => void run(true)} data-testid="import-check">
              {t("import.layer.check")}
            </button>
            <button
              type="button"
              className="primary"
              disabled={!!busy}
              onClick={() => void run(false)}
              data-testid="import-run"
            >
              {t("import.layer.import", { n: formatNumber(lang, read.preview.total) })}
            </button>
          </div>
          {busy === "suggest" && <Working label={t("import.layer.suggesting")} />}
          {(busy === "check" || busy === "import") && <Working label={t("import.layer.importing")} />}
          {outcome && <LayerOutcome outcome={outcome} target={target} />}
        </section>
      )}
    </div>
  );
}

function LayerOutcome(props: { outcome: Outcome; target: LayerTarget }) {
  const { lang, t } = useLang();
  const o = props.outcome;
  if (o.kind === "failed") return <ErrorBox error={o.error} />;
  if (o.kind === "imported") {
    return (
      <div className="notice-inline" role="status" data-testid="import-done" data-count={o.count}>
        {o.dryRun
          ? t("import.layer.checked", { n: formatNumber(lang, o.valid) })
          : t("import.layer.imported", { n: formatNumber(lang, o.count), target: t(`layer.${props.target}`) })}
      </div>
    );
  }
  return (
    <div className="data-report" data-testid="import-report">
      {/* The rows below say where; the server's field is the file as a whole. */}
      <ErrorBox error={o.error} hideField />
      <table className="table">
        <TableHead
          columns={[{ key: "import.report.row", className: "num" }, "import.report.field", "import.report.problem"]}
        />
        <tbody>
          {o.problems.map((p) => (
            <tr key={`${p.row}-${p.field}-${p.en}`} data-testid="report-row" data-row={p.row} data-field={p.field}>
              <td className="num">{p.row === 0 ? t("import.report.wholeFile") : p.row}</td>
              <td>{p.field === "geometry" ? t("import.report.geometry") : fieldLabel(t, p.field)}</td>
              <td>{lang === "zh" ? p.zh : p.en}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
