import { useLang } from "../i18n/lang.ts";

/**
 * Said under every free-text field (notes, titles, follow-ups) before anyone types: the server refuses resident
 * ID and phone numbers there (docs/privacy.md), and a refusal after the fact is a worse way to learn the rule.
 */
export function FreeTextHint() {
  const { t } = useLang();
  return (
    <span className="field-hint" data-testid="free-text-hint">
      {t("privacy.freeText")}
    </span>
  );
}
