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
  "nav.map": "网格地图",
  "nav.plans": "网格方案",
  "nav.accounts": "账号管理",
  "nav.audit": "审计日志",
  "nav.forbiddenTitle": "无权访问",
  "nav.forbidden": "您的账号没有打开此页面的权限。",
  "nav.backToMap": "返回地图",
  "account.title": "账号管理",
  "account.create": "新建账号",
  "account.createTitle": "新建账号",
  "account.editTitle": "编辑账号 {name}",
  "account.username": "用户名",
  "account.usernameHint": "2–40 个小写字母、数字或 _.-，创建后不能修改",
  "account.displayName": "显示名称",
  "account.initialPassword": "初始密码",
  "account.passwordHint": "至少 10 个字符，包含字母、数字、符号中的至少两类；首次登录须修改",
  "account.roles": "角色与范围",
  "account.state": "状态",
  "account.actions": "操作",
  "account.isDisabled": "已停用",
  "account.isLocked": "已锁定",
  "account.mustChange": "待修改初始密码",
  "account.active": "正常",
  "account.edit": "编辑",
  "account.save": "保存",
  "account.cancel": "取消",
  "account.resetPassword": "重置密码",
  "account.resetTitle": "重置 {name} 的密码",
  "account.resetWhy": "设置一个新的初始密码；该账号的现有会话将结束，下次登录时须修改密码。",
  "account.enable": "启用",
  "account.disable": "停用",
  "account.enabled": "已启用账号 {name}",
  "account.disabledNotice": "已停用账号 {name}，其会话已结束",
  "account.created": "已创建账号 {name}，首次登录时须修改密码",
  "account.saved": "已保存账号 {name}",
  "account.passwordReset": "已重置 {name} 的密码",
  "account.role.admin": "系统管理员",
  "account.role.planner": "规划员",
  "account.role.leader": "街道领导",
  "account.role.secretary": "社区书记",
  "account.role.worker": "网格员",
  "account.roleHint.admin": "管理账号，查看一切",
  "account.roleHint.planner": "编辑、发布网格方案",
  "account.roleHint.leader": "查看全街道，不能修改",
  "account.removeGrant": "移除",
  "account.chooseCommunity": "选择社区…",
  "account.addSecretary": "设为该社区书记",
  "account.chooseGrid": "从网格团队中选择网格员…",
  "account.addWorker": "授予网格员：{name}（#{id}）",
  "audit.title": "审计日志",
  "audit.actor": "操作人",
  "audit.action": "操作",
  "audit.entity": "对象",
  "audit.entityId": "对象编号",
  "audit.from": "起始时间",
  "audit.to": "截止时间",
  "audit.apply": "筛选",
  "audit.clear": "清除",
  "audit.any": "全部",
  "audit.at": "时间",
  "audit.what": "内容",
  "audit.none": "没有符合条件的记录",
  "audit.newer": "← 较新",
  "audit.older": "较早 →",
  "audit.page": "第 {n} 页",
  "audit.raw": "原始数据",
  "audit.noChange": "无改动",
  "audit.entity.account": "账号",
  "audit.entity.plan": "网格方案",
  "audit.entity.session": "会话",
  "audit.action.sign_in": "登录",
  "audit.action.sign_out": "退出登录",
  "audit.action.password_change": "修改密码",
  "audit.action.password_reset": "重置密码",
  "audit.action.account_create": "新建账号",
  "audit.action.account_update": "修改账号",
  "audit.action.demo_accounts_create": "创建演示账号",
  "audit.action.plan_create": "新建方案草稿",
  "audit.action.plan_assign": "划转地块",
  "audit.action.plan_create_grid": "新建网格",
  "audit.action.plan_delete_grid": "删除网格",
  "audit.action.plan_split": "拆分网格",
  "audit.action.plan_merge": "合并网格",
  "audit.action.plan_lock": "锁定/解锁网格",
  "audit.action.plan_renumber": "重新编号",
  "audit.action.plan_rebalance": "自动平衡",
  "audit.action.plan_undo": "撤销",
  "audit.action.plan_redo": "重做",
  "audit.action.plan_publish": "发布方案",
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
  "nav.map": "Grid map",
  "nav.plans": "Plans",
  "nav.accounts": "Accounts",
  "nav.audit": "Audit trail",
  "nav.forbiddenTitle": "Not allowed",
  "nav.forbidden": "Your account may not open this page.",
  "nav.backToMap": "Back to the map",
  "account.title": "Accounts",
  "account.create": "New account",
  "account.createTitle": "New account",
  "account.editTitle": "Edit account {name}",
  "account.username": "Username",
  "account.usernameHint": "2–40 lowercase letters, digits or _.-; cannot be changed later",
  "account.displayName": "Display name",
  "account.initialPassword": "Initial password",
  "account.passwordHint": "At least 10 characters of two kinds (letters, digits, symbols); changed at first sign-in",
  "account.roles": "Roles and scopes",
  "account.state": "State",
  "account.actions": "Actions",
  "account.isDisabled": "Disabled",
  "account.isLocked": "Locked",
  "account.mustChange": "Must change password",
  "account.active": "Active",
  "account.edit": "Edit",
  "account.save": "Save",
  "account.cancel": "Cancel",
  "account.resetPassword": "Reset password",
  "account.resetTitle": "Reset the password of {name}",
  "account.resetWhy":
    "Sets a new initial password; the account's sessions end and it must change the password at the next sign-in.",
  "account.enable": "Enable",
  "account.disable": "Disable",
  "account.enabled": "Account {name} enabled",
  "account.disabledNotice": "Account {name} disabled; its sessions have ended",
  "account.created": "Account {name} created; it must change its password at first sign-in",
  "account.saved": "Account {name} saved",
  "account.passwordReset": "Password of {name} reset",
  "account.role.admin": "Administrator",
  "account.role.planner": "Planner",
  "account.role.leader": "Leader",
  "account.role.secretary": "Community secretary",
  "account.role.worker": "Grid worker",
  "account.roleHint.admin": "manages accounts, sees everything",
  "account.roleHint.planner": "edits and publishes plans",
  "account.roleHint.leader": "reads the whole subdistrict, changes nothing",
  "account.removeGrant": "Remove",
  "account.chooseCommunity": "Choose a community…",
  "account.addSecretary": "Make secretary of it",
  "account.chooseGrid": "Pick a grid worker from a grid's team…",
  "account.addWorker": "Grant worker: {name} (#{id})",
  "audit.title": "Audit trail",
  "audit.actor": "Actor",
  "audit.action": "Action",
  "audit.entity": "Entity",
  "audit.entityId": "Entity id",
  "audit.from": "From",
  "audit.to": "To",
  "audit.apply": "Filter",
  "audit.clear": "Clear",
  "audit.any": "Any",
  "audit.at": "When",
  "audit.what": "What",
  "audit.none": "No events match",
  "audit.newer": "← Newer",
  "audit.older": "Older →",
  "audit.page": "Page {n}",
  "audit.raw": "Raw data",
  "audit.noChange": "no change",
  "audit.entity.account": "Account",
  "audit.entity.plan": "Plan",
  "audit.entity.session": "Session",
  "audit.action.sign_in": "Signed in",
  "audit.action.sign_out": "Signed out",
  "audit.action.password_change": "Changed password",
  "audit.action.password_reset": "Reset a password",
  "audit.action.account_create": "Created an account",
  "audit.action.account_update": "Changed an account",
  "audit.action.demo_accounts_create": "Created the demo accounts",
  "audit.action.plan_create": "Created a draft",
  "audit.action.plan_assign": "Moved parcels",
  "audit.action.plan_create_grid": "Created a grid",
  "audit.action.plan_delete_grid": "Deleted a grid",
  "audit.action.plan_split": "Split a grid",
  "audit.action.plan_merge": "Merged grids",
  "audit.action.plan_lock": "Locked/unlocked a grid",
  "audit.action.plan_renumber": "Renumbered",
  "audit.action.plan_rebalance": "Rebalanced",
  "audit.action.plan_undo": "Undo",
  "audit.action.plan_redo": "Redo",
  "audit.action.plan_publish": "Published a plan",
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
