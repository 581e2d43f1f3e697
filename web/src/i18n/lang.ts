import { useMemo, useSyncExternalStore } from "react";
import { type MessageKey, zh } from "./zh.ts";

/** The UI languages: Chinese is the default, English a switch away. */
export type Lang = "zh" | "en";

export type { MessageKey };

/**
 * Chinese is in every first load; English (about 11 kB gzip) is fetched when it is first chosen, so that a phone on a
 * slow link does not download a language it does not show. Until it arrives the UI stays in Chinese.
 */
const dictionaries: Partial<Record<Lang, Record<MessageKey, string>>> = { zh };

/** Fetches the dictionary of `lang` if it is not here yet. */
export async function loadLang(lang: Lang): Promise<void> {
  if (!dictionaries[lang]) dictionaries.en = (await import("./en.ts")).en;
}

const STORAGE_KEY = "gridatlas.lang";

function storedLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "zh";
  } catch {
    // Storage can be blocked (privacy settings); the default language still works.
    return "zh";
  }
}

let current: Lang = "zh";
// The page's language from the first render, whichever page opens first (WCAG 3.1.1; screen readers pick their
// voice by it); a remembered English sets it again once its dictionary has arrived (show).
if (typeof document !== "undefined") document.documentElement.lang = htmlLang(current);
const listeners = new Set<() => void>();

function show(lang: Lang): void {
  if (lang === current) return;
  current = lang;
  document.documentElement.lang = htmlLang(lang);
  for (const listener of listeners) listener();
}

/**
 * Switches the UI language (once its dictionary is here), remembers it for the next visit and re-renders every
 * `useLang` user.
 */
export function setLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered, but switched for this visit.
  }
  choose(lang);
}

/** The language last asked for: a dictionary arriving late does not undo a switch made meanwhile. */
let chosen: Lang = "zh";

function choose(lang: Lang): void {
  chosen = lang;
  void loadLang(lang).then(() => {
    if (chosen === lang) show(lang);
  });
}

// The language remembered from the last visit.
if (typeof localStorage !== "undefined" && storedLang() === "en") choose("en");

export function getLang(): Lang {
  return current;
}

/** The BCP 47 tag for `<html lang>`, which also picks the right CJK glyph shapes in the browser. */
export function htmlLang(lang: Lang): string {
  return lang === "zh" ? "zh-CN" : "en";
}

/** Translates `key`, filling `{name}` placeholders from `params`. */
export function translate(lang: Lang, key: MessageKey, params?: Record<string, string | number>): string {
  const text = (dictionaries[lang] ?? zh)[key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Whether `key` names a message (for keys built from server values, such as an audit action). */
export function isMessageKey(key: string): key is MessageKey {
  return key in zh;
}

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** The current language and a translator bound to it; components re-render when the language changes. */
export function useLang(): { lang: Lang; t: Translate } {
  const lang = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getLang,
    () => "zh" as Lang,
  );
  // One translator per language, so memos and effects that use it run again on a switch, not at every render.
  const t = useMemo<Translate>(() => (key, params) => translate(lang, key, params), [lang]);
  return { lang, t };
}

/** Formats a count the way the language writes numbers (thousands separators). */
export function formatNumber(lang: Lang, n: number, maximumFractionDigits = 0): string {
  return new Intl.NumberFormat(htmlLang(lang), { maximumFractionDigits }).format(n);
}

/** A place's name in the UI language; a place without an English name keeps its Chinese one. */
export function localName(lang: Lang, place: { name: string; name_en?: string | null }): string {
  return lang === "en" && place.name_en ? place.name_en : place.name;
}

/**
 * The half of a bilingual "中文 / English" text (as the demo's attribution is written) in the UI language;
 * a text without the separator is shown whole.
 */
export function bilingualPart(lang: Lang, text: string): string {
  const at = text.indexOf(" / ");
  if (at < 0) return text;
  return (lang === "zh" ? text.slice(0, at) : text.slice(at + 3)).trim();
}
