import { useLang } from "../../i18n/lang.ts";
import { Panel } from "../../ui/panel.tsx";

export type ListItem = { kind: "venue" | "hazard"; id: number; label: string };

/** What a cluster holds, when the map is zoomed in as far as it goes and the points still share a spot. */
export function ClusterList(props: { items: ListItem[]; onOpen: (item: ListItem) => void; onClose: () => void }) {
  const { t } = useLang();
  return (
    <Panel
      title={t("leaderMap.clusterList", { n: props.items.length })}
      closeLabel={t("grid.close")}
      onClose={props.onClose}
      testId="cluster-list"
    >
      <ul className="lm-plain">
        {props.items.map((item) => (
          <li key={`${item.kind}${item.id}`}>
            <button type="button" className="lm-link" onClick={() => props.onOpen(item)}>
              {item.label}
            </button>
          </li>
        ))}
      </ul>
    </Panel>
  );
}
