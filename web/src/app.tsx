import { bbox as bboxOf } from "@turf/turf";
import type { LayerSpecification } from "maplibre-gl";
import { type ReactNode, useCallback, useEffect, useMemo, useState } from "react";
import {
  type ApiError,
  fetchCommunities,
  fetchCompounds,
  fetchGrids,
  fetchSession,
  fetchSubdistrict,
  fetchWater,
  onSessionLost,
  type Session,
  signOut,
  toApiError,
} from "./api.ts";
import { blocksLayers, blocksSource } from "./features/blocks/blocks-layer.ts";
import { buildingsLayers, buildingsSource } from "./features/buildings/buildings-layer.ts";
import type { CamerasBase } from "./features/cameras/cameras-page.tsx";
import { communitiesLayers, communitiesSource } from "./features/communities/communities-layer.ts";
import { CommunityFilter } from "./features/communities/community-filter.tsx";
import {
  compoundLabelPoints,
  compoundsLabelsSource,
  compoundsLayers,
  compoundsSource,
} from "./features/compounds/compounds-layer.ts";
import { GridPanel } from "./features/grids/grid-panel.tsx";
import { type GridStatus, gridsLayers, gridsSource } from "./features/grids/grids-layer.ts";
import { GridsLegend } from "./features/grids/grids-legend.tsx";
import type { DataBase } from "./features/imports/data-page.tsx";
import type { LeaderBase } from "./features/leader-map/leader-map.tsx";
import { ComparePage } from "./features/plans/compare-page.tsx";
import type { BaseMap } from "./features/plans/plan-editor.tsx";
import { parcelEdgesSource, parcelsSource, planLabelsSource, planLayers } from "./features/plans/plan-layers.ts";
import { PlansPage } from "./features/plans/plans-page.tsx";
import { TransfersPrint } from "./features/plans/transfers-print.tsx";
import { roadsLayers, roadsSource } from "./features/roads/roads-layer.ts";
import { PasswordForm } from "./features/session/password-form.tsx";
import { SignInForm } from "./features/session/sign-in-form.tsx";
import { VisitsPanel } from "./features/visits/visits-panel.tsx";
import { waterLabelPoints, waterLabelsSource, waterLayers, waterSource } from "./features/water/water-layer.ts";
import { TeamPanel } from "./features/workers/team-panel.tsx";
import { bilingualPart, htmlLang, localName, type MessageKey, type Translate, useLang } from "./i18n.ts";
import type { AtlasMap } from "./map/atlas-map.ts";
import type { BBox } from "./map/geo.ts";
import { MapView } from "./map/map-view.tsx";
import { match, navigate, queryParam, usePath } from "./router.ts";
import { Banner } from "./ui/banner.tsx";
import { lazyPage } from "./ui/lazy-page.tsx";
import type { NavEntry } from "./ui/nav.tsx";
import { Page } from "./ui/page.tsx";
import { Progress } from "./ui/progress.tsx";
import { TopBar } from "./ui/top-bar.tsx";

// Pages loaded on first use (their code, and ECharts for the charts of two of them, stays out of the first load).
const AccountsPage = lazyPage(() => import("./features/accounts/accounts-page.tsx").then((m) => m.AccountsPage));
const AuditPage = lazyPage(() => import("./features/audit/audit-page.tsx").then((m) => m.AuditPage));
const CamerasPage = lazyPage(() => import("./features/cameras/cameras-page.tsx").then((m) => m.CamerasPage));
const DataPage = lazyPage(() => import("./features/imports/data-page.tsx").then((m) => m.DataPage));
const LeaderMap = lazyPage(() => import("./features/leader-map/leader-map.tsx").then((m) => m.LeaderMap));
const PlanEditor = lazyPage(() => import("./features/plans/plan-editor.tsx").then((m) => m.PlanEditor));
const WorkspacePage = lazyPage(() => import("./features/workspace/workspace-page.tsx").then((m) => m.WorkspacePage));

/**
 * Everything the first screen needs, fetched in parallel when the app starts. The map draws blocks, water, roads,
 * compounds, grids and communities from vector tiles; what is fetched here is for the legend, the filter and the
 * label points written once per water body and compound.
 */
const LOADERS = {
  subdistrict: fetchSubdistrict,
  communities: fetchCommunities,
  grids: fetchGrids,
  water: fetchWater,
  compounds: fetchCompounds,
};
type Loaded = { [K in keyof typeof LOADERS]?: Awaited<ReturnType<(typeof LOADERS)[K]>> };
const LOAD_STEPS = Object.keys(LOADERS).length;

const SOURCES = {
  blocks: blocksSource,
  water: waterSource,
  "water-labels": waterLabelsSource,
  compounds: compoundsSource,
  "compounds-labels": compoundsLabelsSource,
  roads: roadsSource,
  buildings: buildingsSource,
  grids: gridsSource,
  communities: communitiesSource,
};

/** Drawing order, bottom to top, of the layers the features define. */
const DRAW_ORDER = [
  "blocks-fill",
  "water-fill",
  "compounds-fill",
  "buildings-fill",
  "buildings-line",
  "grids-fill",
  // Roads over the grid tint: they are what people find their way by.
  "roads-casing",
  "roads-line",
  "grids-line",
  "compounds-line",
  "communities-dim",
  "communities-casing",
  "communities-line",
  "grids-highlight",
  "water-label",
  "roads-label",
  "compounds-label",
  "grids-label",
  "communities-label",
];

/** Room the grid panel takes on the right, kept free when the camera moves. */
const PANEL_WIDTH_PX = 360;

/** Room the toolbar (top), the legend (top left, 216 px wide) and the attribution (bottom) take over the map. */
const MAP_INSET = { top: 56, right: 0, bottom: 40, left: 216 };

const DEFAULT_BAND = { min: 200, max: 300 };

function mapLocale(t: Translate): Record<string, string> {
  return {
    "Map.Title": t("app.title"),
    "NavigationControl.ZoomIn": t("map.zoomIn"),
    "NavigationControl.ZoomOut": t("map.zoomOut"),
    "AttributionControl.ToggleAttribution": t("map.toggleAttribution"),
    "ScaleControl.Meters": t("map.meters"),
    "ScaleControl.Kilometers": t("map.kilometers"),
  };
}

/** The one place the features meet: the session decides what is shown; the map screen composes the rest. */
export function App() {
  const { lang, t } = useLang();
  // undefined while the server is asked whether this browser has a session.
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the retry button's way to ask again.
  useEffect(() => {
    setError(null);
    fetchSession().then(setSession, (err: unknown) => setError(toApiError(err)));
  }, [attempt]);

  // A request answered 401 (idle expiry, signed out elsewhere): back to the sign-in form.
  useEffect(() => onSessionLost(() => setSession(null)), []);
  const leave = () => {
    signOut().then(
      () => setSession(null),
      (err: unknown) => setError(toApiError(err)),
    );
  };

  if (error) {
    return (
      <Banner
        title={t("app.errorTitle")}
        actions={
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            {t("app.retry")}
          </button>
        }
      >
        {error.text(lang)}
      </Banner>
    );
  }
  if (session === undefined) return <Progress label={t("app.loading")} detail="" done={0} total={1} />;
  if (session === null) return <SignInForm onSignedIn={setSession} />;
  if (session.account.must_change_password) return <PasswordForm onChanged={setSession} onCancel={leave} />;
  return <Shell session={session} onSignOut={leave} />;
}

type Role = "admin" | "planner" | "leader" | "secretary" | "worker";

/** Drafts are unpublished: planners and admins edit them, leaders look. */
const PLAN_READERS: Role[] = ["admin", "planner", "leader"];
const PLAN_EDITORS: Role[] = ["admin", "planner"];

/** The community workspace: secretaries (their community) and those who read the whole subdistrict. */
const WORKSPACE_READERS: Role[] = ["admin", "planner", "leader", "secretary"];

/** Camera positions and blind spots are sensitive: no workers. */
const CAMERA_READERS: Role[] = ["admin", "planner", "leader", "secretary"];

/** The views of the app, who may open each, and the path it lives at. The server guards the data anyway. */
const VIEWS: Array<{ href: string; label: MessageKey; roles: Role[] | "all"; testId: string }> = [
  { href: "/", label: "nav.map", roles: "all", testId: "nav-map" },
  { href: "/workspace", label: "nav.workspace", roles: WORKSPACE_READERS, testId: "nav-workspace" },
  { href: "/plans", label: "nav.plans", roles: PLAN_READERS, testId: "nav-plans" },
  { href: "/admin/accounts", label: "nav.accounts", roles: ["admin"], testId: "nav-accounts" },
  { href: "/admin/audit", label: "nav.audit", roles: ["admin", "leader"], testId: "nav-audit" },
  { href: "/leader-map", label: "leaderMap.nav", roles: "all", testId: "nav-leader-map" },
  // Imports are for admins, exports and prints for those who read the whole subdistrict; the page shows each its own.
  { href: "/data", label: "data.nav", roles: ["admin", "planner", "leader"], testId: "nav-data" },
  { href: "/cameras", label: "cameras.nav", roles: CAMERA_READERS, testId: "nav-cameras" },
];

const mayOpen = (session: Session, roles: Role[] | "all") =>
  roles === "all" || session.account.roles.some((r) => (roles as string[]).includes(r));

/** Picks the view for the current path and gives it the top bar with the views this account may open. */
function Shell(props: { session: Session; onSignOut: () => void }) {
  const { t } = useLang();
  const path = usePath();
  const { session } = props;
  const print = match("/plans/:a/compare/:b/print", path);
  const compare = match("/plans/:a/compare/:b", path);
  const editor = match("/plans/:id", path);
  const planView = print || compare || editor ? VIEWS.find((v) => v.href === "/plans") : undefined;
  const view = planView ?? VIEWS.filter((v) => v.href !== "/").find((v) => match(v.href, path)) ?? VIEWS[0]!;
  const nav: NavEntry[] = VIEWS.filter((v) => mayOpen(session, v.roles)).map((v) => ({
    href: v.href,
    label: t(v.label),
    active: v === view,
    testId: v.testId,
  }));
  const bar = (children?: ReactNode, floating = false) => (
    <TopBar nav={nav} account={session.account} onSignOut={props.onSignOut} floating={floating}>
      {children}
    </TopBar>
  );
  const canEditPlans = mayOpen(session, PLAN_EDITORS);
  // A secretary's home is the workspace of their community.
  const secretaryOnly = session.account.roles.every((r) => r === "secretary");
  useEffect(() => {
    if (secretaryOnly && path === "/") navigate("/workspace", { replace: true });
  }, [secretaryOnly, path]);

  if (!mayOpen(session, view.roles)) {
    return (
      <Page bar={bar()} title={t("nav.forbiddenTitle")} testId="forbidden">
        <p>{t("nav.forbidden")}</p>
        <button type="button" onClick={() => navigate("/", { replace: true })}>
          {t("nav.backToMap")}
        </button>
      </Page>
    );
  }
  if (print) {
    return <PlanScreens kind="print" a={Number(print.a)} b={Number(print.b)} bar={bar} />;
  }
  if (compare) {
    return (
      <PlanScreens
        kind="compare"
        a={Number(compare.a)}
        b={Number(compare.b)}
        community={queryParam(path, "community")}
        bar={bar}
      />
    );
  }
  if (editor) {
    return (
      <PlanScreens
        kind="editor"
        a={Number(editor.id)}
        community={queryParam(path, "community")}
        canEdit={canEditPlans}
        bar={bar}
      />
    );
  }
  if (view.href === "/plans") {
    return <PlansPage bar={bar()} canEdit={canEditPlans} onOpen={(id) => navigate(`/plans/${id}`)} />;
  }
  if (view.href === "/admin/accounts") {
    return <AccountsPage bar={bar()} me={session.account.id} />;
  }
  if (view.href === "/admin/audit") return <AuditPage bar={bar()} />;
  if (view.href === "/workspace") return <WorkspaceScreen session={session} bar={bar()} />;
  if (view.href === "/cameras") {
    return <CamerasRoute session={session} bar={bar(null, true)} path={path} />;
  }
  if (view.href === "/data") {
    return <DataRoute session={session} bar={bar()} path={path} />;
  }
  if (view.href === "/leader-map") {
    return <LeaderMapRoute session={session} bar={bar(null, true)} path={path} />;
  }
  return <MapScreen session={session} nav={nav} onSignOut={props.onSignOut} />;
}

/** What the plan views draw under the plan: the subdistrict's base map, loaded once and kept across views. */
const BASE_LOADERS = {
  subdistrict: fetchSubdistrict,
  communities: fetchCommunities,
  water: fetchWater,
  compounds: fetchCompounds,
};
type BaseLoaded = { [K in keyof typeof BASE_LOADERS]: Awaited<ReturnType<(typeof BASE_LOADERS)[K]>> };
let baseLoading: Promise<BaseLoaded> | null = null;

function loadBase(): Promise<BaseLoaded> {
  baseLoading ??= Promise.all(Object.entries(BASE_LOADERS).map(async ([k, load]) => [k, await load()] as const)).then(
    (entries) => Object.fromEntries(entries) as BaseLoaded,
  );
  baseLoading.catch(() => {
    baseLoading = null;
  });
  return baseLoading;
}

const PLAN_SOURCES = {
  blocks: blocksSource,
  water: waterSource,
  "water-labels": waterLabelsSource,
  compounds: compoundsSource,
  "compounds-labels": compoundsLabelsSource,
  roads: roadsSource,
  buildings: buildingsSource,
  parcels: parcelsSource,
  "parcel-edges": parcelEdgesSource,
  "plan-labels": planLabelsSource,
  communities: communitiesSource,
};

/** Drawing order of the plan views: parcels in their grid colours under the roads, grid boundaries over both. */
const PLAN_DRAW_ORDER = [
  "blocks-fill",
  "water-fill",
  "compounds-fill",
  "buildings-fill",
  "buildings-line",
  "parcels-fill",
  "parcels-line",
  "roads-casing",
  "roads-line",
  "compounds-line",
  "communities-dim",
  "communities-casing",
  "communities-line",
  "parcel-edges-line",
  "parcels-highlight",
  // Boundaries of the plan compared against that are gone, dashed over everything else.
  "parcel-edges-old",
  "water-label",
  "roads-label",
  "compounds-label",
  "plan-labels",
  "communities-label",
];

/** Room the plan views' panels take: the tool column on the left, the figures on the right. */
const PLAN_INSET = { top: 56, right: 380, bottom: 40, left: 190 };

/**
 * The plan views (editor, comparison, printable change list) with the base map they share; the community the
 * editor works on is in the URL (`?community=`), the first one when absent.
 */
function PlanScreens(props: {
  kind: "editor" | "compare" | "print";
  a: number;
  b?: number;
  community?: string | null;
  canEdit?: boolean;
  bar: (children?: ReactNode, floating?: boolean) => ReactNode;
}) {
  const { lang, t } = useLang();
  const path = usePath();
  const [base, setBase] = useState<BaseLoaded | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const fail = useCallback((err: unknown) => setError(toApiError(err)), []);

  useEffect(() => {
    loadBase().then(setBase, fail);
  }, [fail]);

  const communities = base?.communities.features.map((f) => f.properties) ?? [];
  const community = props.community ?? communities[0]?.code ?? null;
  const communityName = useCallback(
    (code: string) => {
      const c = base?.communities.features.find((f) => f.properties.code === code)?.properties;
      return c ? localName(lang, c) : code;
    },
    [base, lang],
  );
  const focus = props.kind === "editor" ? community : (props.community ?? null);
  const compoundName = useCallback(
    (id: number) => base?.compounds.features.find((f) => f.properties.id === id)?.properties.name,
    [base],
  );

  const layers = useMemo(() => {
    const all: LayerSpecification[] = [
      ...blocksLayers(),
      ...waterLayers(),
      ...compoundsLayers(),
      ...roadsLayers(),
      ...buildingsLayers(),
      ...planLayers(),
      ...communitiesLayers({ lang, focus }),
    ];
    return all
      .filter((l) => PLAN_DRAW_ORDER.includes(l.id))
      .sort((x, y) => PLAN_DRAW_ORDER.indexOf(x.id) - PLAN_DRAW_ORDER.indexOf(y.id));
  }, [lang, focus]);

  const data = useMemo(
    () =>
      base && {
        "water-labels": waterLabelPoints(base.water),
        "compounds-labels": compoundLabelPoints(base.compounds),
      },
    [base],
  );
  const locale = useMemo(() => mapLocale(t), [t]);

  const onReady = useCallback((atlas: AtlasMap) => {
    atlas.onError((err) => console.error("map:", err));
  }, []);

  const baseMap: BaseMap | null = useMemo(
    () =>
      base &&
      data && {
        bbox: base.subdistrict.bbox,
        sources: PLAN_SOURCES,
        layers,
        data,
        locale,
        inset: PLAN_INSET,
        attribution: bilingualPart(lang, base.subdistrict.attribution),
        onReady,
      },
    [base, layers, data, locale, lang, onReady],
  );

  useEffect(() => {
    document.documentElement.lang = htmlLang(lang);
    document.title = `${t("app.title")} · ${t("nav.plans")}`;
  }, [lang, t]);

  if (error) {
    return (
      <Banner
        title={t("app.errorTitle")}
        actions={
          <button type="button" onClick={() => window.location.reload()}>
            {t("app.retry")}
          </button>
        }
      >
        {error.text(lang)}
      </Banner>
    );
  }
  // The printable list needs no map.
  if (props.kind === "print" && props.b !== undefined) return <TransfersPrint a={props.a} b={props.b} />;
  if (!baseMap || !community) return <Progress label={t("app.loading")} detail="" done={0} total={1} />;

  const withCommunity = (code: string) => {
    const base = path.split("?")[0] ?? "/";
    navigate(`${base}?community=${code}`, { replace: true });
  };
  const picker = (
    <label className="community-filter">
      <span>{t("community.filter")}</span>
      <select value={community} onChange={(e) => withCommunity(e.target.value)} data-testid="editor-community">
        {communities.map((c) => (
          <option key={c.code} value={c.code}>
            {localName(lang, c)}
          </option>
        ))}
      </select>
    </label>
  );

  if (props.kind === "compare" && props.b !== undefined) {
    return (
      <ComparePage
        key={`${props.a}-${props.b}`}
        a={props.a}
        b={props.b}
        community={props.community ?? null}
        base={baseMap}
        bar={props.bar(null, true)}
        communityName={communityName}
        onCommunity={withCommunity}
      />
    );
  }
  return (
    <PlanEditor
      key={props.a}
      planId={props.a}
      community={community}
      canEdit={!!props.canEdit}
      base={baseMap}
      bar={props.bar(picker, true)}
      communityName={communityName}
      compoundName={compoundName}
      onCompare={(plan) => {
        const against = plan.status === "published" ? plan.based_on : (plan.based_on ?? null);
        if (against) navigate(`/plans/${against}/compare/${plan.id}?community=${community}`);
      }}
      onPublished={() => navigate("/plans")}
    />
  );
}

/** The map of the subdistrict with its toolbar, legend and grid panel, for a signed-in account. */
function MapScreen(props: { session: Session; nav: NavEntry[]; onSignOut: () => void }) {
  const { lang, t } = useLang();
  const [loaded, setLoaded] = useState<Loaded>({});
  const [done, setDone] = useState(0);
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [focus, setFocus] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [atlas, setAtlas] = useState<AtlasMap | null>(null);

  const fail = useCallback((err: unknown) => setError(toApiError(err)), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the retry button's way to load again.
  useEffect(() => {
    let current = true;
    setDone(0);
    setError(null);
    for (const [key, load] of Object.entries(LOADERS)) {
      load().then(
        (value) => {
          if (!current) return;
          setLoaded((prev) => ({ ...prev, [key]: value }));
          setDone((n) => n + 1);
        },
        (err: unknown) => current && fail(err),
      );
    }
    return () => {
      current = false;
    };
  }, [attempt, fail]);

  useEffect(() => {
    document.documentElement.lang = htmlLang(lang);
    const place = loaded.subdistrict ? ` · ${localName(lang, loaded.subdistrict)}` : "";
    document.title = `${t("app.title")}${place}`;
  }, [lang, t, loaded.subdistrict]);

  const layers = useMemo(() => {
    const all: LayerSpecification[] = [
      ...blocksLayers(),
      ...waterLayers(),
      ...compoundsLayers(),
      ...roadsLayers(),
      ...buildingsLayers(),
      ...gridsLayers({ focus }),
      ...communitiesLayers({ lang, focus }),
    ];
    return all.sort((a, b) => DRAW_ORDER.indexOf(a.id) - DRAW_ORDER.indexOf(b.id));
  }, [lang, focus]);

  const waterLabels = useMemo(() => loaded.water && waterLabelPoints(loaded.water), [loaded.water]);
  const compoundLabels = useMemo(() => loaded.compounds && compoundLabelPoints(loaded.compounds), [loaded.compounds]);
  const data = useMemo(
    () => ({ "water-labels": waterLabels, "compounds-labels": compoundLabels }),
    [waterLabels, compoundLabels],
  );

  const locale = useMemo(() => mapLocale(t), [t]);
  const selection = useMemo(() => (selected ? { source: "grids", id: selected } : null), [selected]);

  const onMapReady = useCallback((atlas: AtlasMap) => {
    setAtlas(atlas);
    atlas.onClick(["grids-fill"], (picked) => setSelected(picked ? String(picked.properties.code) : null));
    atlas.enableHover(["grids-fill"]);
    atlas.onError((err) => console.error("map:", err));
  }, []);

  useEffect(() => {
    const close = (e: KeyboardEvent) => e.key === "Escape" && setSelected(null);
    window.addEventListener("keydown", close);
    return () => window.removeEventListener("keydown", close);
  }, []);

  // An account scoped to one community (a secretary) sees only it: start the camera there.
  useEffect(() => {
    const only = loaded.communities?.features.length === 1 ? loaded.communities.features[0] : undefined;
    if (only) atlas?.fitBounds(bboxOf(only) as BBox);
  }, [atlas, loaded.communities]);

  const communities = loaded.communities?.features.map((f) => f.properties) ?? [];
  const focused = communities.find((c) => c.code === focus);

  const chooseCommunity = (code: string | null) => {
    setFocus(code);
    const feature = loaded.communities?.features.find((f) => f.properties.code === code);
    const target = feature ? (bboxOf(feature) as BBox) : loaded.subdistrict?.bbox;
    if (target) atlas?.fitBounds(target, { right: selected ? PANEL_WIDTH_PX : 0 });
  };

  const counts: Record<GridStatus, number> = { under: 0, ok: 0, over: 0 };
  for (const g of loaded.grids?.features ?? []) {
    if (!focus || g.properties.community_code === focus) counts[g.properties.status] += 1;
  }
  const band = focused ? { min: focused.band_min, max: focused.band_max } : commonBand(communities);

  const loading = done < LOAD_STEPS && !error;
  const subdistrict = loaded.subdistrict;

  return (
    <div className="app">
      {subdistrict && (
        <MapView
          className="map"
          bbox={subdistrict.bbox}
          sources={SOURCES}
          layers={layers}
          data={data}
          selection={selection}
          locale={locale}
          inset={MAP_INSET}
          attribution={bilingualPart(lang, subdistrict.attribution)}
          onReady={onMapReady}
        />
      )}

      <TopBar
        floating
        place={subdistrict && localName(lang, subdistrict)}
        nav={props.nav}
        account={props.session.account}
        onSignOut={props.onSignOut}
      >
        {communities.length > 1 && (
          <CommunityFilter communities={communities} value={focus} onChange={chooseCommunity} />
        )}
      </TopBar>

      {props.session.demo_password && <p className="notice">{t("session.demoPassword")}</p>}

      {loaded.grids && <GridsLegend band={band} counts={counts} />}

      {selected && (
        <GridPanel
          code={selected}
          communityName={(code) => {
            const c = communities.find((x) => x.code === code);
            return c && localName(lang, c);
          }}
          onClose={() => setSelected(null)}
        />
      )}

      {loading && (
        <Progress
          label={t("app.loading")}
          detail={t("app.loadingStep", { done, total: LOAD_STEPS })}
          done={done}
          total={LOAD_STEPS}
        />
      )}

      {error && (
        <Banner
          title={t("app.errorTitle")}
          actions={
            <>
              <button type="button" onClick={() => setAttempt((n) => n + 1)}>
                {t("app.retry")}
              </button>
              <button type="button" onClick={() => setError(null)}>
                {t("app.dismiss")}
              </button>
            </>
          }
        >
          {error.text(lang)}
        </Banner>
      )}
    </div>
  );
}

/** The band most communities use, for the legend when no single community is chosen. */
function commonBand(communities: Array<{ band_min: number; band_max: number }>): { min: number; max: number } {
  const tally = new Map<string, number>();
  for (const c of communities) {
    const key = `${c.band_min}-${c.band_max}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  const [best] = [...tally.entries()].sort((a, b) => b[1] - a[1]);
  if (!best) return DEFAULT_BAND;
  const [min, max] = best[0].split("-").map(Number) as [number, number];
  return { min, max };
}

/** The community workspace over the subdistrict's base map, which it shares with the plan views. */
function WorkspaceScreen(props: { session: Session; bar: ReactNode }) {
  const { lang, t } = useLang();
  const [base, setBase] = useState<BaseLoaded | null>(null);

  useEffect(() => {
    // Without the base map the workspace waits; a lost session is the app's to handle.
    loadBase().then(setBase, () => {});
  }, []);

  useEffect(() => {
    document.title = `${t("app.title")} · ${t("nav.workspace")}`;
  }, [t]);

  const roles = props.session.account.roles;
  const communities = useMemo(() => base?.communities.features.map((f) => f.properties) ?? [], [base]);
  // A secretary (and nobody who reads the whole subdistrict) works in their one community.
  const ownCommunity =
    !roles.some((r) => r === "admin" || r === "planner" || r === "leader") && communities.length === 1
      ? communities[0]!.code
      : null;
  const layers = useMemo(
    () =>
      [
        ...blocksLayers(),
        ...waterLayers(),
        ...roadsLayers(),
        ...compoundsLayers(),
        ...communitiesLayers({ lang, focus: ownCommunity }),
      ]
        .filter((l) => WORKSPACE_DRAW_ORDER.includes(l.id))
        .sort((a, b) => WORKSPACE_DRAW_ORDER.indexOf(a.id) - WORKSPACE_DRAW_ORDER.indexOf(b.id)),
    [lang, ownCommunity],
  );
  const workspaceBase = useMemo(
    () =>
      base && {
        bbox: base.subdistrict.bbox,
        sources: {
          blocks: blocksSource,
          water: waterSource,
          roads: roadsSource,
          compounds: compoundsSource,
          communities: communitiesSource,
        },
        layers,
        data: {},
        locale: mapLocale(t),
        inset: { top: 0, right: 0, bottom: 30, left: 0 },
        attribution: bilingualPart(lang, base.subdistrict.attribution),
      },
    [base, layers, t, lang],
  );

  if (!workspaceBase) return <Progress label={t("app.loading")} detail="" done={0} total={1} />;
  const canManage = roles.includes("admin") || roles.includes("secretary");
  return (
    <WorkspacePage
      bar={props.bar}
      base={workspaceBase}
      communities={communities}
      ownCommunity={ownCommunity}
      canManage={canManage}
      team={(ctx) => (
        <TeamPanel
          community={ctx.community}
          grids={ctx.grids}
          today={ctx.today}
          onChanged={ctx.onChanged}
          onShowGrid={ctx.onShowGrid}
        />
      )}
      visits={(ctx) => (
        <VisitsPanel
          community={ctx.community}
          today={ctx.today}
          grids={ctx.grids}
          grid={ctx.grid}
          onChanged={ctx.onChanged}
        />
      )}
    />
  );
}

/** The base map under the workspace's grids, bottom to top. */
const WORKSPACE_DRAW_ORDER = [
  "blocks-fill",
  "water-fill",
  "compounds-fill",
  "roads-casing",
  "roads-line",
  "compounds-line",
  "communities-dim",
  "communities-casing",
  "communities-line",
  "roads-label",
  "communities-label",
];

/**
 * The subdistrict's base map as the full-screen pages over it (the leader's map, the cameras and data pages) take
 * it: loaded once (shared with the plan views), its layers those of `order` in that order, the document titled after
 * the page. Data and layers are kept apart in memos so that a change of language restyles without reloading data.
 */
function useBaseMap(order: readonly string[], title: MessageKey) {
  const { lang, t } = useLang();
  const [base, setBase] = useState<BaseLoaded | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    loadBase().then(setBase, (err: unknown) => setError(toApiError(err)));
  }, []);

  useEffect(() => {
    document.documentElement.lang = htmlLang(lang);
    document.title = `${t("app.title")} · ${t(title)}`;
  }, [lang, t, title]);

  const data = useMemo(
    () =>
      base && {
        "water-labels": waterLabelPoints(base.water),
        "compounds-labels": compoundLabelPoints(base.compounds),
      },
    [base],
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: the layers and map strings change with the language only.
  const styled = useMemo(
    () => ({
      layers: [
        ...blocksLayers(),
        ...waterLayers(),
        ...compoundsLayers(),
        ...buildingsLayers(),
        ...roadsLayers(),
        ...communitiesLayers({ lang, focus: null }),
      ]
        .filter((l) => order.includes(l.id))
        .sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id)),
      locale: mapLocale(t),
    }),
    [lang, order],
  );
  const map = useMemo(
    () =>
      base &&
      data && {
        bbox: base.subdistrict.bbox,
        sources: BASE_MAP_SOURCES,
        layers: styled.layers,
        data,
        locale: styled.locale,
        attribution: bilingualPart(lang, base.subdistrict.attribution),
        communities: base.communities.features,
      },
    [base, data, styled, lang],
  );
  return { map, error };
}

const BASE_MAP_SOURCES = {
  blocks: blocksSource,
  water: waterSource,
  "water-labels": waterLabelsSource,
  compounds: compoundsSource,
  "compounds-labels": compoundsLabelsSource,
  roads: roadsSource,
  buildings: buildingsSource,
  communities: communitiesSource,
};

/** Until a page's base map is there: the loading card, or the error with a way to try again. */
function BaseMapPending(props: { error: ApiError | null }) {
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

/** The base map under the leader map's points, bottom to top: land, roads, outlines and their names. */
const LEADER_BASE_ORDER = [
  "blocks-fill",
  "water-fill",
  "compounds-fill",
  "roads-casing",
  "roads-line",
  "compounds-line",
  "communities-casing",
  "communities-line",
  "water-label",
  "roads-label",
  "compounds-label",
  "communities-label",
];

/** The leader's map (issue 7) over the subdistrict's base map, which it shares with the plan views. */
function LeaderMapRoute(props: { session: Session; bar: ReactNode; path: string }) {
  const { map, error } = useBaseMap(LEADER_BASE_ORDER, "leaderMap.nav");
  const leaderBase: LeaderBase | null = useMemo(
    () => map && { ...map, communities: map.communities.map((f) => f.properties) },
    [map],
  );
  if (!leaderBase) return <BaseMapPending error={error} />;
  const at = props.path.indexOf("?");
  return (
    <LeaderMap
      base={leaderBase}
      bar={props.bar}
      search={at < 0 ? "" : props.path.slice(at)}
      roles={props.session.account.roles}
    />
  );
}

/** The base map under the cameras page: land, buildings (they block the views), roads, outlines and names. */
const CAMERAS_BASE_ORDER = [
  "blocks-fill",
  "water-fill",
  "compounds-fill",
  "buildings-fill",
  "buildings-line",
  "roads-casing",
  "roads-line",
  "compounds-line",
  "communities-casing",
  "communities-line",
  "roads-label",
  "communities-label",
];

/** The cameras page (issue 8) over the subdistrict's base map, which it shares with the plan views. */
function CamerasRoute(props: { session: Session; bar: ReactNode; path: string }) {
  const { map, error } = useBaseMap(CAMERAS_BASE_ORDER, "cameras.nav");
  const camerasBase: CamerasBase | null = map;
  if (!camerasBase) return <BaseMapPending error={error} />;
  const roles = props.session.account.roles;
  // A secretary (and nobody who reads the whole subdistrict) sees their one community.
  const ownCommunity =
    !roles.some((r) => r === "admin" || r === "planner" || r === "leader") && camerasBase.communities.length === 1
      ? camerasBase.communities[0]!.properties.code
      : null;
  return (
    <CamerasPage
      base={camerasBase}
      bar={props.bar}
      community={queryParam(props.path, "community")}
      ownCommunity={ownCommunity}
      roles={roles}
    />
  );
}

/** The base map under an import's preview: the leader map's, with buildings, which show whether points land on them. */
const DATA_BASE_ORDER = [
  "blocks-fill",
  "water-fill",
  "compounds-fill",
  "buildings-fill",
  "buildings-line",
  "roads-casing",
  "roads-line",
  "compounds-line",
  "communities-casing",
  "communities-line",
  "water-label",
  "roads-label",
  "compounds-label",
  "communities-label",
];

/** The data page (issue 9): imports, exports and prints, with a map over the subdistrict's base map for previews. */
function DataRoute(props: { session: Session; bar: ReactNode; path: string }) {
  const { map, error } = useBaseMap(DATA_BASE_ORDER, "data.nav");
  const dataBase: DataBase | null = useMemo(
    () => map && { ...map, communities: map.communities.map((f) => f.properties) },
    [map],
  );
  if (!dataBase) return <BaseMapPending error={error} />;
  return (
    <DataPage base={dataBase} bar={props.bar} tab={queryParam(props.path, "tab")} roles={props.session.account.roles} />
  );
}
