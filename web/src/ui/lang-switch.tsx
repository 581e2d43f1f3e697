import { setLang, useLang } from "../i18n/lang.ts";

/** The button that flips the UI between Chinese and English; it names the language it switches to. */
export function LangSwitch() {
  const { lang, t } = useLang();
  return (
    <button
      type="button"
      className="lang-switch"
      lang={lang === "zh" ? "en" : "zh-CN"}
      title={t("lang.switchLabel")}
      data-testid="lang-switch"
      onClick={() => setLang(lang === "zh" ? "en" : "zh")}
    >
      {t("lang.switch")}
    </button>
  );
}
