import { useRef } from "react";
import type { CoverageScenario } from "../../api.ts";
import { localName, type MessageKey, useLang } from "../../i18n/lang.ts";
import type { BaseCommunity } from "../../map/base-map.ts";
import { useBottomVar } from "../../ui/bottom-var.ts";
import { CoverageLegend } from "../../ui/coverage-legend.tsx";
import { CAMERA_TYPES, cameraIconUrl } from "./camera-card.tsx";

export type CameraType = (typeof CAMERA_TYPES)[number];
/** What the map shows besides the grids. */
export type Shown = { views: boolean; blindSpots: boolean; cameras: boolean };

/**
 * The cameras page's tool bar: the community (a choice for those who read several), the scenario, what to show,
 * and for those who may plan, a camera type and the button that places one where the map is clicked next.
 */
export function CamerasTools(props: {
  communities: BaseCommunity[];
  community: string | null;
  /** Shown without a choice: a secretary's own community, or the only one. */
  fixed: boolean;
  onCommunity: (code: string) => void;
  scenario: CoverageScenario;
  onScenario: (scenario: CoverageScenario) => void;
  show: Shown;
  onShow: (show: Shown) => void;
  canPlan: boolean;
  placeType: CameraType;
  onPlaceType: (type: CameraType) => void;
  placing: boolean;
  onPlace: () => void;
}) {
  const { lang, t } = useLang();
  const { communities, community } = props;
  // The camera card and hints below the tool bar follow it as it wraps (--cam-tools-bottom).
  const bar = useRef<HTMLDivElement>(null);
  useBottomVar(bar, "--cam-tools-bottom");
  return (
    <div ref={bar} className="cam-tools" data-testid="cameras-tools">
      {props.fixed ? (
        <strong data-testid="cameras-community-name">
          {localName(
            lang,
            communities.find((c) => c.properties.code === community)?.properties ?? { name: "", name_en: null },
          )}
        </strong>
      ) : (
        <label>
          {t("community.filter")}
          <select
            value={community ?? ""}
            onChange={(e) => props.onCommunity(e.target.value)}
            data-testid="cameras-community"
          >
            {communities.map((c) => (
              <option key={c.properties.code} value={c.properties.code}>
                {localName(lang, c.properties)}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        {t("coverage.scenario")}
        <select
          value={props.scenario}
          onChange={(e) => props.onScenario(e.target.value as CoverageScenario)}
          data-testid="cameras-scenario"
        >
          <option value="current">{t("coverage.scenario.current")}</option>
          <option value="planned">{t("coverage.scenario.planned")}</option>
        </select>
      </label>
      {(["cameras", "views", "blindSpots"] as const).map((k) => (
        <label key={k} className="cam-toggle">
          <input
            type="checkbox"
            checked={props.show[k]}
            onChange={(e) => props.onShow({ ...props.show, [k]: e.target.checked })}
            data-testid={`toggle-${k}`}
          />
          {t(`camera.show.${k}` as MessageKey)}
        </label>
      ))}
      {props.canPlan && (
        <span className="cam-place">
          <select
            value={props.placeType}
            onChange={(e) => props.onPlaceType(e.target.value as CameraType)}
            aria-label={t("camera.type")}
          >
            {CAMERA_TYPES.map((type) => (
              <option key={type} value={type}>
                {t(`camera.type.${type}` as MessageKey)}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="cam-primary"
            disabled={props.placing}
            data-testid="camera-place"
            onClick={props.onPlace}
          >
            {t("camera.place")}
          </button>
        </span>
      )}
    </div>
  );
}

/** What the colours and symbols on the map mean. */
export function CamerasLegend() {
  const { t } = useLang();
  return (
    <div className="cam-legend" data-testid="cameras-legend">
      <h3>{t("coverage.legendGrids")}</h3>
      <CoverageLegend noRoads={t("coverage.noRoads")} />
      <h3>{t("camera.legend")}</h3>
      <ul>
        {(["online", "offline", "planned"] as const).map((s) => (
          <li key={s}>
            <img src={cameraIconUrl("fixed", s)} alt="" width={16} height={16} />
            {t(`camera.status.${s}` as MessageKey)}
          </li>
        ))}
        <li>
          <img src={cameraIconUrl("dome", "online")} alt="" width={16} height={16} />
          {t("camera.type.dome")}
        </li>
        <li>
          <i className="cam-blind-swatch" />
          {t("camera.show.blindSpots")}
        </li>
      </ul>
    </div>
  );
}
