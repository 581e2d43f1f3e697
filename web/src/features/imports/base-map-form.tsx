import { useEffect, useState } from "react";
import { type ApiError, fetchBaseMapSetting, saveBaseMapSetting, toApiError } from "../../api.ts";
import { useLang } from "../../i18n/lang.ts";
import { ErrorBox } from "./parts.tsx";

/**
 * The admin's setting of the optional raster base map: a tile URL template (天地图 with the office's own key, an
 * intranet tile server) and its attribution. Off by default: the offline map drawn from our own data stays the
 * base. The form says why imagery may not line up (GCJ-02 tiles against our CGCS2000/WGS-84 data).
 */
export function BaseMapForm() {
  const { t } = useLang();
  const [url, setUrl] = useState("");
  const [attribution, setAttribution] = useState("");
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  /** The version of the setting this form shows: a save made over another admin's change is refused (409). */
  const [version, setVersion] = useState<number | null>(null);

  useEffect(() => {
    fetchBaseMapSetting().then(
      (s) => {
        setUrl(s.raster_url ?? "");
        setAttribution(s.attribution);
        setVersion(s.version);
      },
      (err: unknown) => setError(toApiError(err)),
    );
  }, []);

  const save = async (raster: string | null) => {
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      const s = await saveBaseMapSetting(raster, raster ? attribution : "", version ?? 0);
      setUrl(s.raster_url ?? "");
      setAttribution(s.attribution);
      setVersion(s.version);
      setSaved(s.raster_url ? t("basemap.savedOn") : t("basemap.savedOff"));
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="data-tab" data-testid="base-map-form">
      <section className="data-step">
        <h3>{t("basemap.title")}</h3>
        <p>{t("basemap.intro")}</p>
        <p className="data-warning" role="note">
          {t("basemap.crs")}
        </p>
        <label className="data-field">
          {t("basemap.url")}
          <input
            type="url"
            value={url}
            maxLength={1000}
            placeholder="https://t0.tianditu.gov.cn/img_w/wmts?…&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=…"
            onChange={(e) => setUrl(e.target.value)}
          />
        </label>
        <label className="data-field">
          {t("basemap.attribution")}
          <input type="text" value={attribution} maxLength={200} onChange={(e) => setAttribution(e.target.value)} />
        </label>
        <div className="data-actions">
          <button type="button" className="primary" disabled={busy || !url.trim()} onClick={() => save(url.trim())}>
            {t("basemap.save")}
          </button>
          <button type="button" disabled={busy} onClick={() => save(null)}>
            {t("basemap.off")}
          </button>
        </div>
        {saved && <p role="status">{saved}</p>}
        {error && <ErrorBox error={error} />}
      </section>
    </div>
  );
}
