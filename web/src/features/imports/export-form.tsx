import { useState } from "react";
import { type ApiError, fetchDownload, type Plan, toApiError } from "../../api.ts";
import { formatNumber, type MessageKey, useLang } from "../../i18n/lang.ts";
import { formatDate } from "../../i18n/time.ts";
import { CommunityOptions } from "../../ui/community-options.tsx";
import { ErrorBox } from "./parts.tsx";
import { formatBytes, saveFile } from "./upload.ts";

export type CommunityOption = { code: string; name: string; name_en: string | null };

const EXPORT_LAYERS = ["grids", "parcels", "buildings", "venues", "hazards", "cameras", "communities"] as const;
type ExportLayer = (typeof EXPORT_LAYERS)[number];
const FORMATS = ["geojson", "csv", "shp", "gpkg"] as const;
/** The layers that belong to a plan: their grid codes are the chosen plan's. */
const PLAN_LAYERS: ExportLayer[] = ["grids", "parcels"];

/**
 * Exporting a layer — grids or parcels of a plan, buildings, venues, hazards, cameras, communities — of the whole
 * subdistrict or one community, as GeoJSON, CSV, Shapefile or GeoPackage, written by the server with GDAL.
 */
export function ExportForm(props: { plans: Plan[]; communities: CommunityOption[] }) {
  const { lang, t } = useLang();
  const [layer, setLayer] = useState<ExportLayer>("grids");
  const [plan, setPlan] = useState("");
  const [community, setCommunity] = useState("");
  const [format, setFormat] = useState<(typeof FORMATS)[number]>("geojson");
  const [progress, setProgress] = useState<{ received: number; total: number | null } | null>(null);
  const [done, setDone] = useState<{ filename: string; count: string | null; size: number } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const download = async () => {
    setError(null);
    setDone(null);
    setProgress({ received: 0, total: null });
    // A CSV is read by people in a spreadsheet: in the page's language; GIS formats keep their codes.
    const q = new URLSearchParams({ format, lang });
    if (plan && PLAN_LAYERS.includes(layer)) q.set("plan", plan);
    if (community) q.set("community", community);
    try {
      const file = await fetchDownload(`/api/exports/${layer}?${q}`, (received, total) =>
        setProgress({ received, total }),
      );
      saveFile(file.blob, file.filename);
      setDone({ filename: file.filename, count: file.headers.get("x-feature-count"), size: file.blob.size });
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setProgress(null);
    }
  };

  return (
    <div className="data-tab" data-testid="export-form">
      <section className="data-step">
        <h3>{t("export.title")}</h3>
        <label className="data-row">
          <span>{t("export.layer")}</span>
          <select value={layer} onChange={(e) => setLayer(e.target.value as ExportLayer)} data-testid="export-layer">
            {EXPORT_LAYERS.map((l) => (
              <option key={l} value={l}>
                {t(`layer.${l}`)}
              </option>
            ))}
          </select>
        </label>
        {PLAN_LAYERS.includes(layer) && (
          <PlanSelect label={t("export.plan")} plans={props.plans} value={plan} onChange={setPlan} />
        )}
        <CommunitySelect communities={props.communities} value={community} onChange={setCommunity} />
        <label className="data-row">
          <span>{t("export.format")}</span>
          <select
            value={format}
            onChange={(e) => setFormat(e.target.value as (typeof FORMATS)[number])}
            data-testid="export-format"
          >
            {FORMATS.map((f) => (
              <option key={f} value={f}>
                {t(`export.format.${f}`)}
              </option>
            ))}
          </select>
        </label>
        <div className="row-actions">
          <button
            type="button"
            className="primary"
            disabled={!!progress}
            onClick={() => void download()}
            data-testid="export-run"
          >
            {t("export.download")}
          </button>
        </div>
        {progress && (
          <div className="data-progress" role="status">
            {progress.total ? <progress max={progress.total} value={progress.received} /> : <progress />}
            <span>{t("export.working", { received: formatBytes(progress.received) })}</span>
          </div>
        )}
        {done && (
          <div className="notice-inline" role="status" data-testid="export-done">
            {t("export.done", {
              name: done.filename,
              n: done.count ? formatNumber(lang, Number(done.count)) : "?",
              size: formatBytes(done.size),
            })}
          </div>
        )}
        {error && <ErrorBox error={error} />}
      </section>
    </div>
  );
}

/** A plan picker: the published plan by default (value ""), then every plan by name and state. */
export function PlanSelect(props: {
  label: string;
  plans: Plan[];
  value: string;
  onChange: (id: string) => void;
  required?: boolean;
  testId?: string;
}) {
  const { t } = useLang();
  return (
    <label className="data-row">
      <span>{props.label}</span>
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)} data-testid={props.testId}>
        {!props.required && <option value="">{t("export.publishedPlan")}</option>}
        {props.plans.map((p) => (
          <option key={p.id} value={String(p.id)}>
            {/* Plans may share a name: the day of their last change tells them apart, not an internal id. */}
            {p.name} · {t(`plan.status.${p.status}` as MessageKey)} · {formatDate(p.updated_at)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A community picker; "" is the whole subdistrict. */
export function CommunitySelect(props: {
  communities: CommunityOption[];
  value: string;
  onChange: (code: string) => void;
  testId?: string;
}) {
  const { t } = useLang();
  return (
    <label className="data-row">
      <span>{t("export.community")}</span>
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)} data-testid={props.testId}>
        <option value="">{t("export.allCommunities")}</option>
        <CommunityOptions communities={props.communities} />
      </select>
    </label>
  );
}
