import { useLang } from "../../i18n/lang.ts";
import { CommunityOptions } from "../../ui/community-options.tsx";

type Community = { code: string; name: string; name_en: string | null };

/** Picks one community to focus on, or all of them. */
export function CommunityFilter(props: {
  communities: Community[];
  value: string | null;
  onChange: (code: string | null) => void;
}) {
  const { t } = useLang();
  return (
    <label className="community-filter">
      <span>{t("community.filter")}</span>
      <select
        value={props.value ?? ""}
        data-testid="community-filter"
        onChange={(e) => props.onChange(e.target.value === "" ? null : e.target.value)}
      >
        <option value="">{t("community.all")}</option>
        <CommunityOptions communities={props.communities} />
      </select>
    </label>
  );
}
