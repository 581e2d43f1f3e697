import { useCallback, useRef, useState } from "react";
import { type ApiError, type ImportFileOptions, previewImport, toApiError } from "../../api.ts";
import { formatNumber, useLang } from "../../i18n/lang.ts";
import { FieldSelect } from "./field-select.tsx";
import { type CrsInfo, crsLabel, crsName, type OffsetWarning } from "./import-options.ts";
import { CrsSelect, EncodingSelect, ErrorBox, Working } from "./parts.tsx";
import { formatBytes, uploadFile } from "./upload.ts";

/** What the server read from an uploaded GIS file; `features` are in WGS84, their ids the row numbers. */
export type Preview = Omit<Awaited<ReturnType<typeof previewImport>>, "crs" | "offset" | "features"> & {
  crs: CrsInfo;
  offset: OffsetWarning | null;
  features: GeoJSON.FeatureCollection;
};

/** A file read and previewed: the reading options an import must repeat, and what they gave. */
export type FileRead = { options: ImportFileOptions; preview: Preview };

type Reading = Omit<ImportFileOptions, "file">;

/**
 * The first step of a GIS import: choose a file, send it in chunks with a progress bar, and preview it — the layer,
 * its fields, the CRS declared or guessed (overridable), and a warning when the positions look shifted like a
 * Chinese web map's, asking before converting. Every change of the reading options previews again.
 */
export function FileStep(props: { accept: string; onRead: (read: FileRead | null) => void }) {
  const { lang, t } = useLang();
  const [file, setFile] = useState<File | null>(null);
  const [sent, setSent] = useState<{ received: number; size: number } | null>(null);
  const [uploadId, setUploadId] = useState<string | null>(null);
  const [reading, setReading] = useState<Reading>({});
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [offsetAnswered, setOffsetAnswered] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const { onRead } = props;

  const fail = useCallback((err: unknown) => setError(toApiError(err)), []);

  const read = useCallback(
    async (id: string, next: Reading) => {
      setReading(next);
      setPreviewing(true);
      setError(null);
      try {
        const options: ImportFileOptions = { file: id, ...next };
        const p = (await previewImport(options)) as unknown as Preview;
        setPreview(p);
        onRead({ options, preview: p });
      } catch (err) {
        setPreview(null);
        onRead(null);
        fail(err);
      } finally {
        setPreviewing(false);
      }
    },
    [onRead, fail],
  );

  const choose = async (chosen: File | undefined) => {
    setFile(chosen ?? null);
    setUploadId(null);
    setPreview(null);
    setOffsetAnswered(false);
    setError(null);
    onRead(null);
    if (!chosen) return;
    try {
      const upload = await uploadFile(chosen, (received, size) => setSent({ received, size }));
      setUploadId(upload.id);
      await read(upload.id, {});
    } catch (err) {
      fail(err);
    }
  };

  const change = (patch: Partial<Reading>) => {
    if (!uploadId) return;
    const next: Reading = { ...reading, ...patch };
    for (const k of Object.keys(next) as Array<keyof Reading>) if (next[k] === undefined) delete next[k];
    void read(uploadId, next);
  };

  const uploading = !!file && !!sent && sent.received < sent.size && !error;
  const fields = preview?.fields ?? [];
  const crs = preview?.crs;
  const offset = preview?.offset;

  return (
    <section className="data-step" data-testid="file-step">
      <h3>{t("import.file.title")}</h3>
      <p className="muted">{t("import.file.formats")}</p>
      <input
        ref={input}
        type="file"
        accept={props.accept}
        onChange={(e) => void choose(e.target.files?.[0])}
        aria-label={t("import.file.title")}
        data-testid="import-file"
      />
      {file && sent && (
        <div className="data-progress" data-testid="upload-progress">
          <progress max={sent.size} value={sent.received} />
          <span>
            {uploading
              ? t("import.file.uploading", { received: formatBytes(sent.received), size: formatBytes(sent.size) })
              : t("import.file.uploaded", { name: file.name, size: formatBytes(sent.size) })}
          </span>
        </div>
      )}
      {previewing && <Working label={t("import.file.reading")} />}
      {error && <ErrorBox error={error} />}
      {preview && (
        <div className="data-preview" data-testid="preview" data-total={preview.total}>
          <p>
            {t("import.file.summary", {
              format: preview.format,
              layer: preview.layer,
              n: formatNumber(lang, preview.total),
            })}
            {preview.total > preview.features.features.length &&
              ` ${t("import.file.shown", { n: preview.features.features.length })}`}
          </p>
          {preview.layers.length > 1 && (
            <label className="data-row">
              <span>{t("import.file.layer")}</span>
              <select value={preview.layer} onChange={(e) => change({ layer: e.target.value })}>
                {preview.layers.map((l) => (
                  <option key={l.name} value={l.name}>
                    {l.name} · {l.geometry_type} · {l.feature_count}
                  </option>
                ))}
              </select>
            </label>
          )}
          <div className="data-fields" data-testid="preview-fields">
            <span>{t("import.file.fields")}</span>
            {fields.map((f) => (
              <span key={f.name} className="tag" title={f.type}>
                {f.name}
              </span>
            ))}
          </div>
          <div className="data-row" data-testid="preview-crs">
            <span>{t("import.file.crs")}</span>
            <strong>{crsLabel(lang, crs?.crs ?? null)}</strong>
            <span className="muted">{t(`import.crs.source.${crs?.source ?? "none"}`)}</span>
          </div>
          <CrsSelect
            value={(reading.crs as string | undefined) ?? ""}
            onChange={(crs) => change({ crs: crs as Reading["crs"] })}
          />
          <label className="check">
            <input
              type="checkbox"
              checked={reading.swap_axes ?? crs?.swapped ?? false}
              onChange={(e) => change({ swap_axes: e.target.checked })}
            />
            {t("import.file.swapAxes")}
          </label>
          {(preview.format === "CSV" || preview.format === "Shapefile") && (
            <EncodingSelect
              value={reading.encoding ?? ""}
              found={preview.encoding}
              onChange={(encoding) => change({ encoding })}
            />
          )}
          {preview.format === "CSV" && (
            <div className="data-grid2">
              {(["x_field", "y_field", "wkt_field"] as const).map((k) => (
                <label key={k} className="data-row">
                  <span>{t(`import.file.${k}`)}</span>
                  <FieldSelect
                    value={(reading[k] as string | undefined) ?? ""}
                    onChange={(v) => change({ [k]: v || undefined })}
                    fields={fields}
                    none={t("import.file.auto")}
                  />
                </label>
              ))}
            </div>
          )}
          {offset?.suggestion && !offsetAnswered && !reading.crs && (
            <div className="data-warning" role="alert" data-testid="offset-warning">
              <p>{lang === "zh" ? offset.zh : offset.en}</p>
              <div className="row-actions">
                <button
                  type="button"
                  className="primary"
                  onClick={() => {
                    setOffsetAnswered(true);
                    change({ crs: offset.suggestion ?? undefined });
                  }}
                  data-testid="offset-convert"
                >
                  {t("import.file.offsetConvert", { crs: crsName(lang, offset.suggestion) })}
                </button>
                <button type="button" onClick={() => setOffsetAnswered(true)}>
                  {t("import.file.offsetKeep")}
                </button>
              </div>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
