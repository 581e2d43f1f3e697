import type { ReactNode } from "react";
import type { ApiError } from "../api.ts";
import { type MessageKey, useLang } from "../i18n/lang.ts";
import type { BaseMap } from "../map/base-map.ts";
import { Banner } from "../ui/banner.tsx";
import { Progress } from "../ui/progress.tsx";
import { type BaseMapOptions, type BaseScreen, useBaseMap } from "./use-base-map.ts";

/**
 * A page drawn over the subdistrict's base map (the workspace, the leader's map, the cameras and data pages): the
 * loading card until the base map is there, or the error with a way to try again; then the page, given it.
 */
export function OverBaseMap(
  props: { screen: BaseScreen; title: MessageKey; children: (base: BaseMap) => ReactNode } & BaseMapOptions,
) {
  const { map, error } = useBaseMap(props.screen, props.title, props);
  if (!map) return <BaseMapPending error={error} />;
  return props.children(map);
}

/** Until a page's base map is there: the loading card, or the error with a way to try again. */
export function BaseMapPending(props: { error: ApiError | null }) {
  const { lang, t } = useLang();
  if (!props.error) return <Progress label={t("app.loading")} detail="" done={0} total={1} />;
  return (
    <Banner
      title={t("app.errorTitle")}
      actions={
        <button type="button" onClick={() => window.location.reload()}>
          {t("app.retry")}
        </button>
      }
    >
      {props.error.text(lang)}
    </Banner>
  );
}
