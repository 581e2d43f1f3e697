import type { ReactNode } from "react";
import { useLang } from "../../i18n/lang.ts";
import { Panel } from "../../ui/panel.tsx";

/** The panel of a venue's or a hazard's card: its name (until it has loaded, a word saying so) and its category. */
export function PlaceCardPanel(props: {
  name: string | undefined;
  category: { category_name_zh: string; category_name_en: string } | undefined;
  onClose: () => void;
  testId: string;
  children: ReactNode;
}) {
  const { lang, t } = useLang();
  const c = props.category;
  return (
    <Panel
      title={props.name ?? t("leaderMap.loading")}
      subtitle={c ? (lang === "zh" ? c.category_name_zh : c.category_name_en) : undefined}
      closeLabel={t("grid.close")}
      onClose={props.onClose}
      testId={props.testId}
    >
      {props.children}
    </Panel>
  );
}
