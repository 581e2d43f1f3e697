import { localName, useLang } from "../i18n/lang.ts";

/** One `<option>` per community, valued by its code and named in the reader's language, for any community select. */
export function CommunityOptions(props: {
  communities: readonly { code: string; name: string; name_en?: string | null }[];
}) {
  const { lang } = useLang();
  return (
    <>
      {props.communities.map((c) => (
        <option key={c.code} value={c.code}>
          {localName(lang, c)}
        </option>
      ))}
    </>
  );
}
