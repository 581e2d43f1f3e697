import { useEffect, useMemo, useState } from "react";
import { fetchSubdistrict } from "../api.ts";
import { FieldApp } from "../features/field/field-app.tsx";
import { fieldLayers, fieldSources } from "../features/field/field-layer.ts";
import { bilingualPart, htmlLang, useLang } from "../i18n/lang.ts";
import { baseLayers, baseSources, mapLocale } from "./use-base-map.ts";

/**
 * The field app over the base map: only the layers drawn from tiles (which the phone caches ahead for work offline),
 * the worker's grids, entrances, venues and hazards on top. This screen is loaded lazily together with the field app
 * and MapLibre: a second lazy step would cost a phone on a slow link another round trip before the map starts.
 */
export function FieldScreen(props: {
  account: { username: string; display_name: string };
  onSignOut: (everywhere?: true) => void;
}) {
  const { lang, t } = useLang();
  const [attribution, setAttribution] = useState<string | null>(null);
  const layers = useMemo(() => [...baseLayers("field", { lang, focus: null }), ...fieldLayers], [lang]);
  const sources = useMemo(() => ({ ...baseSources("field"), ...fieldSources }), []);
  const locale = useMemo(() => mapLocale(t), [t]);

  useEffect(() => {
    // The attribution is worth a request when online; offline the map does without it.
    fetchSubdistrict().then(
      (s) => setAttribution(s.attribution),
      () => undefined,
    );
  }, []);

  useEffect(() => {
    document.documentElement.lang = htmlLang(lang);
    document.title = `${t("app.title")} · ${t("field.title")}`;
  }, [lang, t]);

  const base = useMemo(
    () => ({
      sources,
      layers,
      locale,
      attribution: attribution ? bilingualPart(lang, attribution) : "",
    }),
    [sources, layers, locale, attribution, lang],
  );
  return <FieldApp base={base} account={props.account} onSignOut={props.onSignOut} />;
}
