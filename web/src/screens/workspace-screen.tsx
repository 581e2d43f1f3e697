import type { ReactNode } from "react";
import type { Session } from "../api.ts";
import { VisitsPanel } from "../features/visits/visits-panel.tsx";
import { TeamPanel } from "../features/workers/team-panel.tsx";
import type { BaseCommunity } from "../map/base-map.ts";
import { ownCommunity } from "../roles.ts";
import { lazyPage } from "../ui/lazy-page.tsx";
import { OverBaseMap } from "./over-base-map.tsx";

const WorkspacePage = lazyPage(() => import("../features/workspace/workspace-page.tsx").then((m) => m.WorkspacePage));

/** The community workspace over the subdistrict's base map, with the team and visits tabs of their own features. */
export function WorkspaceScreen(props: { session: Session; bar: ReactNode }) {
  const roles = props.session.account.roles;
  // A secretary's community is the one in focus: the others are shaded.
  const focus = (communities: BaseCommunity[]) => ownCommunity(roles, communities);
  return (
    <OverBaseMap screen="workspace" title="nav.workspace" focus={focus}>
      {(base) => (
        <WorkspacePage
          bar={props.bar}
          base={base}
          ownCommunity={ownCommunity(roles, base.communities)}
          canManage={roles.includes("admin") || roles.includes("secretary")}
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
      )}
    </OverBaseMap>
  );
}
