import { type ReactNode, useEffect, useState } from "react";
import {
  type ApiError,
  fetchSession,
  onSessionLost,
  type Session,
  signOut,
  signOutEverywhere,
  toApiError,
} from "./api.ts";
import { fetchFieldEarly } from "./features/field/field-api.ts";
import { loadFieldMap } from "./features/field/field-map-code.ts";
import { forgetSession, rememberedSession, rememberSession, worksInField } from "./features/field/field-session.ts";
import { PasswordForm } from "./features/session/password-form.tsx";
import { SetPasswordForm } from "./features/session/set-password-form.tsx";
import { SignInForm } from "./features/session/sign-in-form.tsx";
import { useLang } from "./i18n/lang.ts";
import { mayOpen, ownCommunity, PLAN_EDITORS, VIEWS } from "./roles.ts";
import { match, navigate, queryParam, usePath } from "./router.ts";
import { OverBaseMap } from "./screens/over-base-map.tsx";
import { Banner } from "./ui/banner.tsx";
import { lazyPage } from "./ui/lazy-page.tsx";
import type { NavEntry } from "./ui/nav.tsx";
import { Page } from "./ui/page.tsx";
import { Progress } from "./ui/progress.tsx";
import { TopBar } from "./ui/top-bar.tsx";

// Pages loaded on first use (their code, and ECharts for the charts of two of them, stays out of the first load): a
// field worker's phone loads the field app and MapLibre, none of the office's pages.
const MapScreen = lazyPage(() => import("./screens/map-screen.tsx").then((m) => m.MapScreen));
const PlanScreens = lazyPage(() => import("./screens/plan-screens.tsx").then((m) => m.PlanScreens));
const WorkspaceScreen = lazyPage(() => import("./screens/workspace-screen.tsx").then((m) => m.WorkspaceScreen));
const PlansPage = lazyPage(() => import("./features/plans/plans-page.tsx").then((m) => m.PlansPage));
// The map's code (MapLibre, most of the bytes) is asked for once the field app's own has arrived: on a slow link the
// small part and the worker's grids then come first and are listed, and the map follows.
const loadFieldScreen = () =>
  import("./screens/field-screen.tsx").then((m) => {
    void loadFieldMap();
    return m;
  });
const FieldScreen = lazyPage(() => loadFieldScreen().then((m) => m.FieldScreen));
// A phone a field worker used before fetches (or takes from its cache) the field app while the server is asked for
// the session, not after: that answer is a round trip, and offline a wait for the network to fail.
if (rememberedSession()) void loadFieldScreen();
const AccountsPage = lazyPage(() => import("./features/accounts/accounts-page.tsx").then((m) => m.AccountsPage));
const AuditPage = lazyPage(() => import("./features/audit/audit-page.tsx").then((m) => m.AuditPage));
const CamerasPage = lazyPage(() => import("./features/cameras/cameras-page.tsx").then((m) => m.CamerasPage));
const DataPage = lazyPage(() => import("./features/imports/data-page.tsx").then((m) => m.DataPage));
const LeaderMap = lazyPage(() => import("./features/leader-map/leader-map.tsx").then((m) => m.LeaderMap));

/** Start-up: the session decides what is shown, the sign-in form or the shell. */
export function App() {
  const { lang, t } = useLang();
  const path = usePath();
  // undefined while the server is asked whether this browser has a session.
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the retry button's way to ask again.
  useEffect(() => {
    setError(null);
    fetchSession().then(
      (s) => enter(s),
      (err: unknown) => {
        // No network: a field worker's phone opens on the account it last had, and works offline.
        const remembered = toApiError(err).status === 0 ? rememberedSession() : null;
        if (remembered) setSession(remembered);
        else setError(toApiError(err));
      },
    );
  }, [attempt]);

  const enter = (s: Session | null) => {
    // A phone's first start: its grids are asked for while the field app's code is still on its way.
    if (s && worksInField(s) && !s.account.must_change_password && !rememberedSession()) fetchFieldEarly();
    if (s && worksInField(s)) rememberSession(s);
    setSession(s);
  };

  // A request answered 401 (idle expiry, signed out elsewhere): back to the sign-in form.
  useEffect(
    () =>
      onSessionLost(() => {
        forgetSession();
        setSession(null);
      }),
    [],
  );
  /** Signs out here, or (`everywhere` exactly true: handlers may pass an event) on every device of the account. */
  const leave = (everywhere?: unknown) => {
    forgetSession();
    (everywhere === true ? signOutEverywhere() : signOut()).then(
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
  if (path === "/set-password") return <SetPasswordForm />;
  if (session === undefined) return <Progress label={t("app.loading")} detail="" done={0} total={1} />;
  if (session === null) return <SignInForm onSignedIn={enter} />;
  // A worker's home is the field app; the office pages open to workers (the leader's map, the data page's refusal)
  // stay at their own addresses, for a worker at a desktop.
  if (worksInField(session) && !session.account.must_change_password && path === "/") {
    return <FieldScreen account={session.account} onSignOut={leave} />;
  }
  if (session.account.must_change_password) return <PasswordForm onChanged={enter} onCancel={leave} />;
  return <Shell session={session} onSignOut={leave} />;
}

/**
 * The one place the features meet: picks the screen for the current path, if this account may open it, and gives
 * it the top bar with the views this account may open.
 */
function Shell(props: { session: Session; onSignOut: (everywhere?: true) => void }) {
  const { t } = useLang();
  const path = usePath();
  const { session } = props;
  const roles = session.account.roles;
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
  // A secretary's home is the workspace of their community: where they land, not a wall in front of the map, which
  // their 网格地图 link still opens.
  const secretaryOnly = roles.every((r) => r === "secretary");
  const [landing] = useState(path);
  useEffect(() => {
    if (secretaryOnly && landing === "/") navigate("/workspace", { replace: true });
  }, [secretaryOnly, landing]);

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
  if (print) return <PlanScreens kind="print" a={Number(print.a)} b={Number(print.b)} bar={bar} />;
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
  switch (view.href) {
    case "/plans":
      return <PlansPage bar={bar()} canEdit={canEditPlans} onOpen={(id) => navigate(`/plans/${id}`)} />;
    case "/admin/accounts":
      return <AccountsPage bar={bar()} me={session.account.id} />;
    case "/admin/audit":
      return <AuditPage bar={bar()} />;
    case "/workspace":
      return <WorkspaceScreen session={session} bar={bar()} />;
    case "/leader-map":
      return (
        <OverBaseMap key={view.href} screen="leader" title="nav.leaderMap">
          {(base) => {
            const at = path.indexOf("?");
            return <LeaderMap base={base} bar={bar(null, true)} search={at < 0 ? "" : path.slice(at)} roles={roles} />;
          }}
        </OverBaseMap>
      );
    case "/cameras":
      return (
        <OverBaseMap key={view.href} screen="cameras" title="nav.cameras">
          {(base) => (
            <CamerasPage
              base={base}
              bar={bar(null, true)}
              community={queryParam(path, "community")}
              ownCommunity={ownCommunity(roles, base.communities)}
              roles={roles}
            />
          )}
        </OverBaseMap>
      );
    case "/data":
      return (
        <OverBaseMap key={view.href} screen="data" title="nav.data">
          {(base) => <DataPage base={base} bar={bar()} tab={queryParam(path, "tab")} roles={roles} />}
        </OverBaseMap>
      );
    default:
      return <MapScreen session={session} nav={nav} onSignOut={props.onSignOut} />;
  }
}
