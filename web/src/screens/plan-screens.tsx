import { type ReactNode, useCallback } from "react";
import { ComparePage } from "../features/plans/compare-page.tsx";
import { parcelEdgesSource, parcelsSource, planLabelsSource, planLayers } from "../features/plans/plan-layers.ts";
import { TransfersPrint } from "../features/plans/transfers-print.tsx";
import { localName, useLang } from "../i18n/lang.ts";
import type { BaseCommunity } from "../map/base-map.ts";
import { navigate, usePath } from "../router.ts";
import { CommunityOptions } from "../ui/community-options.tsx";
import { lazyPage } from "../ui/lazy-page.tsx";
import { BaseMapPending } from "./over-base-map.tsx";
import { type BaseExtra, useBaseMap } from "./use-base-map.ts";

const PlanEditor = lazyPage(() => import("../features/plans/plan-editor.tsx").then((m) => m.PlanEditor));

/** The plan's parcels in their grid colours under the roads, the boundaries between grids over them. */
const PLAN_MAP: BaseExtra = {
  sources: { parcels: parcelsSource, "parcel-edges": parcelEdgesSource, "plan-labels": planLabelsSource },
  layers: planLayers(),
};

/**
 * The plan views (editor, comparison, printable change list) with the base map they share; the community the
 * editor works on is in the URL (`?community=`), the first one when absent.
 */
export function PlanScreens(props: {
  kind: "editor" | "compare" | "print";
  a: number;
  b?: number;
  community?: string | null;
  canEdit?: boolean;
  bar: (children?: ReactNode, floating?: boolean) => ReactNode;
}) {
  const { lang, t } = useLang();
  const path = usePath();
  const chosen = props.community ?? null;
  const editing = props.kind === "editor";
  const focus = useCallback(
    (communities: BaseCommunity[]) => (editing ? (chosen ?? communities[0]?.properties.code ?? null) : chosen),
    [editing, chosen],
  );
  const { map, error, compoundName } = useBaseMap("plan", "nav.plans", { focus, extra: PLAN_MAP });

  const communities = map?.communities.map((f) => f.properties) ?? [];
  const community = chosen ?? communities[0]?.code ?? null;
  const communityName = useCallback(
    (code: string) => {
      const c = map?.communities.find((f) => f.properties.code === code)?.properties;
      return c ? localName(lang, c) : code;
    },
    [map, lang],
  );

  if (error) return <BaseMapPending error={error} />;
  // The printable list needs no map.
  if (props.kind === "print" && props.b !== undefined) return <TransfersPrint a={props.a} b={props.b} />;
  if (!map || !community) return <BaseMapPending error={null} />;

  const withCommunity = (code: string) => {
    const base = path.split("?")[0] ?? "/";
    navigate(`${base}?community=${code}`, { replace: true });
  };
  const picker = (
    <label className="community-filter">
      <span>{t("community.filter")}</span>
      <select value={community} onChange={(e) => withCommunity(e.target.value)} data-testid="editor-community">
        <CommunityOptions communities={communities} />
      </select>
    </label>
  );

  if (props.kind === "compare" && props.b !== undefined) {
    return (
      <ComparePage
        key={`${props.a}-${props.b}`}
        a={props.a}
        b={props.b}
        community={chosen}
        base={map}
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
      base={map}
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
