import { useSyncExternalStore } from "react";

/** The UI languages: Chinese is the default, English a switch away. */
export type Lang = "zh" | "en";

const zh = {
  "app.title": "网格一张图",
  "app.loading": "正在加载地图数据…",
  "app.loadingStep": "已加载 {done}/{total}",
  "app.errorTitle": "数据加载失败",
  "app.retry": "重试",
  "app.dismiss": "关闭",
  "lang.switch": "English",
  "lang.switchLabel": "切换到英文",
  "community.filter": "社区",
  "community.all": "全部社区",
  "legend.title": "网格户数",
  "legend.under": "不足 {min} 户",
  "legend.ok": "{min}–{max} 户",
  "legend.over": "超过 {max} 户",
  "legend.band": "标准：每格 {min}–{max} 户",
  "status.under": "户数不足",
  "status.ok": "户数达标",
  "status.over": "户数超标",
  "status.needsMore": "还需 {n} 户",
  "status.needsFewer": "需减少 {n} 户",
  "status.inBand": "在 {min}–{max} 户之间",
  "grid.title": "第 {seq} 网格",
  "grid.close": "关闭",
  "grid.loading": "正在加载网格…",
  "grid.code": "网格编码",
  "grid.community": "所属社区",
  "grid.households": "户数",
  "grid.buildings": "楼栋",
  "grid.entrances": "单元",
  "grid.parcels": "地块",
  "grid.area": "面积",
  "grid.areaValue": "{n} 公顷",
  "grid.team": "网格团队",
  "grid.noTeam": "尚未配备人员",
  "grid.places": "场所与点位",
  "grid.venues": "场所",
  "grid.hazardsOpen": "未整改隐患",
  "grid.cameras": "监控点位",
  "role.secretary": "社区书记",
  "role.grid_leader": "网格长",
  "role.grid_worker": "网格员",
  "role.info_worker": "网情员",
  "session.prompt": "请登录后查看网格地图",
  "session.username": "用户名",
  "session.password": "密码",
  "session.signIn": "登录",
  "session.signingIn": "正在登录…",
  "session.signOut": "退出登录",
  "session.changeTitle": "请修改初始密码",
  "session.changeWhy": "首次登录需设置新密码：至少10个字符，包含字母、数字、符号中的至少两类。",
  "session.currentPassword": "当前密码",
  "session.newPassword": "新密码",
  "session.repeatPassword": "再次输入新密码",
  "session.mismatch": "两次输入的新密码不一致",
  "session.change": "修改密码",
  "session.demoPassword": "演示模式：所有演示账号使用同一个预设密码，请勿用于真实数据。",
  "map.hint": "点击网格查看详情",
  "map.zoomIn": "放大",
  "map.zoomOut": "缩小",
  "map.toggleAttribution": "显示或隐藏数据说明",
  "map.meters": "米",
  "map.kilometers": "千米",
} as const;

export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = {
  "app.title": "GridAtlas",
  "app.loading": "Loading map data…",
  "app.loadingStep": "{done} of {total} loaded",
  "app.errorTitle": "Could not load data",
  "app.retry": "Retry",
  "app.dismiss": "Dismiss",
  "lang.switch": "中文",
  "lang.switchLabel": "Switch to Chinese",
  "community.filter": "Community",
  "community.all": "All communities",
  "legend.title": "Households per grid",
  "legend.under": "under {min}",
  "legend.ok": "{min}–{max}",
  "legend.over": "over {max}",
  "legend.band": "Standard: {min}–{max} per grid",
  "status.under": "Under the band",
  "status.ok": "Within the band",
  "status.over": "Over the band",
  "status.needsMore": "needs {n} more households",
  "status.needsFewer": "needs {n} fewer households",
  "status.inBand": "between {min} and {max}",
  "grid.title": "Grid {seq}",
  "grid.close": "Close",
  "grid.loading": "Loading grid…",
  "grid.code": "Grid code",
  "grid.community": "Community",
  "grid.households": "Households",
  "grid.buildings": "Buildings",
  "grid.entrances": "Entrances",
  "grid.parcels": "Parcels",
  "grid.area": "Area",
  "grid.areaValue": "{n} ha",
  "grid.team": "Team",
  "grid.noTeam": "No staff assigned yet",
  "grid.places": "Places",
  "grid.venues": "Venues",
  "grid.hazardsOpen": "Open hazards",
  "grid.cameras": "Cameras",
  "role.secretary": "Community secretary",
  "role.grid_leader": "Grid leader",
  "role.grid_worker": "Grid worker",
  "role.info_worker": "Information worker",
  "session.prompt": "Sign in to see the grid map",
  "session.username": "Username",
  "session.password": "Password",
  "session.signIn": "Sign in",
  "session.signingIn": "Signing in…",
  "session.signOut": "Sign out",
  "session.changeTitle": "Change your initial password",
  "session.changeWhy":
    "A first sign-in needs a new password: at least 10 characters, of at least two kinds (letters, digits, symbols).",
  "session.currentPassword": "Current password",
  "session.newPassword": "New password",
  "session.repeatPassword": "New password again",
  "session.mismatch": "The two new passwords differ",
  "session.change": "Change password",
  "session.demoPassword": "Demo mode: every demo account shares one preset password; do not use it for real data.",
  "map.hint": "Click a grid for its details",
  "map.zoomIn": "Zoom in",
  "map.zoomOut": "Zoom out",
  "map.toggleAttribution": "Show or hide the data notes",
  "map.meters": "m",
  "map.kilometers": "km",
};

const dictionaries: Record<Lang, Record<MessageKey, string>> = { zh, en };

const STORAGE_KEY = "gridatlas.lang";

function storedLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "zh";
  } catch {
    // Storage can be blocked (privacy settings); the default language still works.
    return "zh";
  }
}

let current: Lang = typeof localStorage === "undefined" ? "zh" : storedLang();
const listeners = new Set<() => void>();

/** Switches the UI language, remembers it for the next visit and re-renders every `useLang` user. */
export function setLang(lang: Lang): void {
  if (lang === current) return;
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered, but switched for this visit.
  }
  document.documentElement.lang = htmlLang(lang);
  for (const listener of listeners) listener();
}

export function getLang(): Lang {
  return current;
}

/** The BCP 47 tag for `<html lang>`, which also picks the right CJK glyph shapes in the browser. */
export function htmlLang(lang: Lang): string {
  return lang === "zh" ? "zh-CN" : "en";
}

/** Translates `key`, filling `{name}` placeholders from `params`. */
export function translate(lang: Lang, key: MessageKey, params?: Record<string, string | number>): string {
  const text = dictionaries[lang][key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
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
  return { lang, t: (key, params) => translate(lang, key, params) };
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
