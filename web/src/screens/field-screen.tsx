import { useEffect, useMemo, useState } from "react";
import { fetchSubdistrict } from "../api.ts";
import { fieldLayers, fieldSources } from "../features/field/field-layer.ts";
import { registerFieldApp } from "../features/field/field-pwa.ts";
import { bilingualPart, htmlLang, useLang } from "../i18n/lang.ts";
import { lazyPage } from "../ui/lazy-page.tsx";
import { baseLayers, baseSources, mapLocale } from "./use-base-map.ts";

const FieldApp = lazyPage(() => import("../features/field/field-app.tsx").then((m) => m.FieldApp));

/**
 * The field app over the base map: only the layers drawn from tiles (which the phone caches ahead for work offline),
 * the worker's grids, entrances, venues and hazards on top.
 */
export function FieldScreen(props: { account: { username: string; display_name: string }; onSignOut: () => void }) {
  const { lang, t } = useLang();
  const [attribution, setAttribution] = useState<string | null>(null);
  const layers = useMemo(() => [...baseLayers("field", { lang, focus: null }), ...fieldLayers], [lang]);
  const sources = useMemo(() => ({ ...baseSources("field"), ...fieldSources }), []);
  const locale = useMemo(() => mapLocale(t), [t]);

  useEffect(() => {
    registerFieldApp();
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
