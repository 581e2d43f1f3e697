import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { chromium } from "playwright-core";
import { GRID_FILL_OPACITY, MAP_COLORS, STATUS_COLORS, STATUS_SYMBOLS } from "../../../../web/src/map/palette.ts";
import type { BandStatus } from "../../db/band.ts";
import type { Db } from "../../db/db.ts";
import { DomainError, notFound } from "../../errors.ts";

/** Debian's Chromium (package `chromium`), as the e2e tests use it; nothing is downloaded. */
const CHROMIUM_PATH = "/usr/bin/chromium";

export type Paper = "A4" | "A3";
/** Landscape page sizes in CSS pixels (96 per inch). */
const PAGE_PX: Record<Paper, { w: number; h: number }> = { A4: { w: 1123, h: 794 }, A3: { w: 1587, h: 1123 } };

type Geo = { type: string; coordinates: unknown };

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * Renders an HTML page to PNG or PDF in headless Chromium: the one pipeline every printed map and report goes
 * through. PDF pages are the paper size (landscape); PNGs are the same page at twice the pixels.
 */
export async function printHtml(
  html: string,
  paper: Paper,
  format: "png" | "pdf",
  /** A PNG of the whole document (a long table), not only the first page. */
  fullPage = false,
): Promise<Buffer> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new DomainError(
      "unavailable",
      "no_browser",
      "服务器未安装 Chromium，无法打印",
      "Chromium is not installed on the server",
    );
  }
  const profile = await fs.promises.mkdtemp(path.join(os.tmpdir(), "gridatlas-print-"));
  const size = PAGE_PX[paper];
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    viewport: { width: size.w, height: size.h },
    deviceScaleFactor: format === "png" ? 2 : 1,
    offline: true,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.setContent(html, { waitUntil: "load" });
    await page.evaluate(() => document.fonts.ready);
    return format === "pdf"
      ? await page.pdf({
          format: paper,
          landscape: true,
          printBackground: true,
          margin: { top: "0", bottom: "0", left: "0", right: "0" },
        })
      : await page.screenshot({ type: "png", fullPage });
  } finally {
    await context.close();
    await fs.promises.rm(profile, { recursive: true, force: true });
  }
}

function pageHtml(paper: Paper, body: string, css: string, lang: PrintLang): string {
  const { w, h } = PAGE_PX[paper];
  return `<!doctype html><html lang="${lang === "en" ? "en" : "zh-CN"}"><head><meta charset="utf-8"><style>
    @page { size: ${paper} landscape; margin: 0 }
    html, body { margin: 0; width: ${w}px; height: ${h}px; overflow: hidden; background: #fff;
      font-family: "Noto Sans CJK SC", "Noto Sans SC", sans-serif; color: #1f2933 }
    ${css}
  </style></head><body>${body}</body></html>`;
}

/** A metres-per-degree projection around a point: at a subdistrict's scale the error is far below a pixel. */
function projector(bbox: [number, number, number, number], frame: { x: number; y: number; w: number; h: number }) {
  const [w, s, e, n] = bbox;
  const kx = 111_320 * Math.cos((((s + n) / 2) * Math.PI) / 180);
  const ky = 110_574;
  const widthM = (e - w) * kx;
  const heightM = (n - s) * ky;
  const pxPerM = Math.min(frame.w / widthM, frame.h / heightM);
  const ox = frame.x + (frame.w - widthM * pxPerM) / 2;
  const oy = frame.y + (frame.h - heightM * pxPerM) / 2;
  return {
    pxPerM,
    xy: (lng: number, lat: number): [number, number] => [ox + (lng - w) * kx * pxPerM, oy + (n - lat) * ky * pxPerM],
  };
}

function svgPath(g: Geo, xy: (lng: number, lat: number) => [number, number]): string {
  const ring = (r: number[][]) =>
    `M${r
      .map(([x, y]) =>
        xy(x!, y!)
          .map((v) => v.toFixed(1))
          .join(","),
      )
      .join("L")}Z`;
  const line = (l: number[][]) =>
    `M${l
      .map(([x, y]) =>
        xy(x!, y!)
          .map((v) => v.toFixed(1))
          .join(","),
      )
      .join("L")}`;
  if (g.type === "Polygon") return (g.coordinates as number[][][]).map(ring).join("");
  if (g.type === "MultiPolygon") return (g.coordinates as number[][][][]).flatMap((p) => p.map(ring)).join("");
  if (g.type === "LineString") return line(g.coordinates as number[][]);
  if (g.type === "MultiLineString") return (g.coordinates as number[][][]).map(line).join("");
  return "";
}

/** 1, 2 or 5 × 10^k metres, about a fifth of the map's width. */
function scaleBar(pxPerM: number, mapWidthPx: number): { m: number; px: number } {
  const target = mapWidthPx / 5 / pxPerM;
  const k = 10 ** Math.floor(Math.log10(target));
  const m =
    [1, 2, 5, 10]
      .map((f) => f * k)
      .filter((v) => v <= target)
      .pop() ?? k;
  return { m, px: m * pxPerM };
}

export type PrintLang = "zh" | "en";

/** Every word on a printed page, in the language of the page that asked for it: a print is in one language. */
const WORDS = {
  zh: {
    mapTitle: (subdistrict: string, plan: string, draft: boolean) =>
      `${subdistrict}网格划分图 · ${plan}${draft ? "（草稿）" : ""}`,
    grids: (n: number) => `${n} 个网格`,
    count: (n: number) => `（${n}）`,
    legend: "图例",
    ok: "户数在标准内",
    under: "户数低于下限",
    over: "户数高于上限",
    communityBoundary: "社区界",
    road: "道路",
    north: "北",
    scale: "比例尺",
    codes: "网格编码",
    codesHint: "图中数字为网格序号；网格编码 = 社区编码 + 序号。",
    source: "数据来源：",
    madeBy: "制图：网格一张图",
    transfersTitle: (subdistrict: string) => `${subdistrict}网格划转清单`,
    transfersLead: (a: string, b: string, entrances: number, households: number) =>
      `从“${a}”到“${b}”：${entrances} 个单元、${households} 户改变网格`,
    columns: ["社区", "楼栋", "单元", "户数", "原网格", "新网格"],
    appName: "网格一张图",
    dateLocale: "zh-CN",
  },
  en: {
    mapTitle: (subdistrict: string, plan: string, draft: boolean) =>
      `${subdistrict} grid map · ${plan}${draft ? " (draft)" : ""}`,
    grids: (n: number) => `${n} grids`,
    count: (n: number) => ` (${n})`,
    legend: "Legend",
    ok: "Households within the band",
    under: "Households under the band",
    over: "Households over the band",
    communityBoundary: "Community boundary",
    road: "Road",
    north: "N",
    scale: "Scale",
    codes: "Grid codes",
    codesHint: "Numbers on the map are grid sequences; grid code = community code + sequence.",
    source: "Source: ",
    madeBy: "Map: GridAtlas",
    transfersTitle: (subdistrict: string) => `${subdistrict}: grid change list`,
    transfersLead: (a: string, b: string, entrances: number, households: number) =>
      `From “${a}” to “${b}”: ${entrances} entrances, ${households} households change grid`,
    columns: ["Community", "Building", "Entrance", "Households", "From grid", "To grid"],
    appName: "GridAtlas",
    dateLocale: "en-GB",
  },
} as const;

/** Today in the subdistrict's zone (China time), written the page's way. */
const todayIn = (lang: PrintLang) =>
  new Date().toLocaleDateString(WORDS[lang].dateLocale, {
    timeZone: "Asia/Shanghai",
    year: "numeric",
    month: lang === "en" ? "short" : "numeric",
    day: "numeric",
  });

/** A name in the page's language: the English one where the data has it, else the one there is. */
const nameIn = (lang: PrintLang, row: { name: string; name_en: string | null }) =>
  lang === "en" ? (row.name_en ?? row.name) : row.name;

/**
 * The part of a bilingual text ("中文 / English", as the demo's attribution is written) in the page's language; a
 * text in one language is kept whole.
 */
function inLanguage(lang: PrintLang, text: string): string {
  const parts = text.split(" / ");
  if (parts.length < 2) return text;
  const chinese = parts.filter((p) => /\p{Script=Han}/u.test(p));
  const other = parts.filter((p) => !/\p{Script=Han}/u.test(p));
  return ((lang === "zh" ? chinese : other).join(" / ") || text).trim();
}

/**
 * A community's name as lines of text that fit the map: Chinese names on one line, English ones broken before
 * their last word ("Jindu Xincheng / Community"), and a rough width for keeping the label inside the frame.
 */
function labelLines(name: string, fontPx: number): { lines: string[]; widthPx: number } {
  const words = name.split(" ");
  const lines = words.length > 1 ? [words.slice(0, -1).join(" "), words.at(-1)!] : [name];
  const em = (line: string) => [...line].reduce((n, ch) => n + (/[\u2e80-\uffff]/.test(ch) ? 1 : 0.58), 0);
  return { lines, widthPx: Math.max(...lines.map(em)) * fontPx };
}

/**
 * A printable map of a plan's grids — of the subdistrict or one community — as the screen draws it (the colours of
 * web/src/map/palette.ts), with title, the communities' names on the map, grid sequences, and beside the map the
 * legend, north arrow, scale bar and community codes; every word in `lang`.
 */
export async function planMapHtml(
  db: Db,
  opts: {
    plan?: number | undefined;
    community?: string | undefined;
    paper: Paper;
    title?: string | undefined;
    lang: PrintLang;
  },
): Promise<string> {
  const words = WORDS[opts.lang];
  const plan = await sql<{
    id: number;
    name: string;
    status: string;
    subdistrict_code: string;
    attribution: string;
    sname: string;
    sname_en: string | null;
  }>`
    select p.id, p.name, p.status, p.subdistrict_code, s.attribution, s.name as sname, s.name_en as sname_en from plan p
    join subdistrict s on s.code = p.subdistrict_code
    where (${opts.plan ?? null}::int is null and p.status = 'published') or p.id = ${opts.plan ?? null}::int
    order by p.subdistrict_code, p.id limit 1`.execute(db);
  const p = plan.rows[0];
  if (!p) throw notFound("没有可打印的方案", "no plan to print");
  const grids = await sql<{
    code: string;
    households: number;
    status: BandStatus;
    geometry: Geo;
    lx: number;
    ly: number;
  }>`
    select g.code, f.households, f.status, ST_AsGeoJSON(g.geom, 6)::json as geometry,
      ST_X(ST_PointOnSurface(g.geom)) as lx, ST_Y(ST_PointOnSurface(g.geom)) as ly
    from grid g join grid_figure f on f.grid_id = g.id
    where g.plan_id = ${p.id} and g.geom is not null and (${opts.community ?? null}::text is null or g.community_code = ${opts.community ?? null})
    order by g.code`.execute(db);
  if (!grids.rows.length) throw notFound("该范围内没有网格", "no grids there");
  // A community's name goes at the centre of the largest circle inside it, where it is widest (as on the screen).
  const communities = await sql<{
    code: string;
    name: string;
    name_en: string | null;
    geometry: Geo;
    lx: number;
    ly: number;
  }>`
    select c.code, c.name, c.name_en, ST_AsGeoJSON(c.geom, 6)::json as geometry,
      ST_X(m.center) as lx, ST_Y(m.center) as ly
    from community c, ST_MaximumInscribedCircle(c.geom) m
    where c.subdistrict_code = ${p.subdistrict_code} and (${opts.community ?? null}::text is null or c.code = ${opts.community ?? null})
    order by c.code`.execute(db);
  const box = await sql<{ w: number; s: number; e: number; n: number }>`
    select ST_XMin(x) as w, ST_YMin(x) as s, ST_XMax(x) as e, ST_YMax(x) as n
    from (select ST_Extent(g.geom)::geometry as x from grid g where g.plan_id = ${p.id}
      and (${opts.community ?? null}::text is null or g.community_code = ${opts.community ?? null})) t`.execute(db);
  const b = box.rows[0]!;
  const roads = await sql<{ geometry: Geo; class: string }>`
    select ST_AsGeoJSON(ST_Intersection(r.geom, ST_MakeEnvelope(${b.w}, ${b.s}, ${b.e}, ${b.n}, 4326)), 6)::json as geometry, r.class
    from road r where r.subdistrict_code = ${p.subdistrict_code} and r.geom && ST_MakeEnvelope(${b.w}, ${b.s}, ${b.e}, ${b.n}, 4326)`.execute(
    db,
  );

  const { w: W, h: H } = PAGE_PX[opts.paper];
  const legendW = 240;
  const frame = { x: 24, y: 64, w: W - 24 - legendW - 32, h: H - 64 - 56 };
  const proj = projector([b.w, b.s, b.e, b.n], frame);
  const bar = scaleBar(proj.pxPerM, frame.w);
  const font = Math.max(7, Math.min(13, Math.sqrt((frame.w * frame.h) / grids.rows.length) / 6));
  const communityFont = Math.max(14, Math.min(22, font * 1.6));
  const counts = { under: 0, ok: 0, over: 0 };
  for (const g of grids.rows) counts[g.status]++;
  const today = todayIn(opts.lang);
  const subdistrict = nameIn(opts.lang, { name: p.sname, name_en: p.sname_en });
  const title = opts.title ?? words.mapTitle(subdistrict, p.name, p.status === "draft");
  const roadWidth = (c: string) => (c === "arterial" ? 1 : c === "secondary" ? 0.7 : 0.4);
  const svg = [
    `<svg class="map" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg">`,
    `<rect x="${frame.x}" y="${frame.y}" width="${frame.w}" height="${frame.h}" fill="${MAP_COLORS.land}" stroke="#94a3b8"/>`,
    `<g clip-path="url(#frame)"><clipPath id="frame"><rect x="${frame.x}" y="${frame.y}" width="${frame.w}" height="${frame.h}"/></clipPath>`,
    ...grids.rows.map(
      (g) =>
        `<path class="grid" d="${svgPath(g.geometry, proj.xy)}" fill="${STATUS_COLORS[g.status]}" fill-opacity="${GRID_FILL_OPACITY}" stroke="${MAP_COLORS.gridLine}" stroke-width="0.8" fill-rule="evenodd"/>`,
    ),
    ...roads.rows.map(
      (r) =>
        `<path d="${svgPath(r.geometry, proj.xy)}" fill="none" stroke="${MAP_COLORS.roadCasing}" stroke-width="${(roadWidth(r.class) * 4).toFixed(1)}" stroke-linecap="round"/>`,
    ),
    ...roads.rows.map(
      (r) =>
        `<path d="${svgPath(r.geometry, proj.xy)}" fill="none" stroke="${r.class === "arterial" ? MAP_COLORS.arterialRoad : MAP_COLORS.road}" stroke-width="${(roadWidth(r.class) * 3).toFixed(1)}" stroke-linecap="round"/>`,
    ),
    ...communities.rows.map(
      (c) =>
        `<path d="${svgPath(c.geometry, proj.xy)}" fill="none" stroke="${MAP_COLORS.communityCasing}" stroke-width="4" stroke-opacity="0.85" fill-rule="evenodd"/>` +
        `<path d="${svgPath(c.geometry, proj.xy)}" fill="none" stroke="${MAP_COLORS.communityLine}" stroke-width="1.8" fill-rule="evenodd"/>`,
    ),
    ...grids.rows.map((g) => {
      const [x, y] = proj.xy(g.lx, g.ly);
      return `<text class="code" x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="${font.toFixed(1)}" text-anchor="middle" dominant-baseline="middle">${g.code.slice(12)}</text>`;
    }),
    // The communities' names above the grid numbers, as the screen draws them.
    ...communities.rows.map((c) => {
      const [cx, cy] = proj.xy(c.lx, c.ly);
      const { lines, widthPx } = labelLines(nameIn(opts.lang, c), communityFont);
      // Inside the frame, where the clip would cut a name at the map's edge.
      const x = Math.min(Math.max(cx, frame.x + widthPx / 2 + 6), frame.x + frame.w - widthPx / 2 - 6);
      const lineH = communityFont * 1.15;
      const y0 = cy - ((lines.length - 1) * lineH) / 2;
      return `<text class="community-name" font-size="${communityFont.toFixed(1)}" text-anchor="middle" dominant-baseline="middle">${lines
        .map((l, i) => `<tspan x="${x.toFixed(1)}" y="${(y0 + i * lineH).toFixed(1)}">${esc(l)}</tspan>`)
        .join("")}</text>`;
    }),
    "</g></svg>",
  ].join("");
  const swatch = (status: BandStatus) =>
    `<i style="background:${STATUS_COLORS[status]};opacity:${GRID_FILL_OPACITY * 1.6}">${STATUS_SYMBOLS[status]}</i>`;
  // The north arrow and the scale bar stand beside the map, never on it: over the map they hid grids.
  const legend = `<aside class="legend">
      <div class="orient">
        <svg class="north" width="34" height="50" viewBox="0 0 34 50" role="img" aria-label="${words.north}">
          <path d="M17 2 L29 36 L17 28 L5 36 Z" fill="#111827"/>
          <text x="17" y="48" text-anchor="middle" font-size="12" font-weight="700">${words.north}</text>
        </svg>
        <svg class="scale" width="${Math.ceil(bar.px + 40)}" height="34" viewBox="0 0 ${Math.ceil(bar.px + 40)} 34">
          <text x="0" y="10" font-size="11">${words.scale}</text>
          <g transform="translate(4,18)"><rect width="${bar.px.toFixed(1)}" height="6" fill="#111827"/><rect width="${(bar.px / 2).toFixed(1)}" height="6" fill="#fff" stroke="#111827"/>
          <text x="0" y="16" font-size="10" text-anchor="middle">0</text><text x="${bar.px.toFixed(1)}" y="16" font-size="10" text-anchor="middle">${bar.m >= 1000 ? `${bar.m / 1000} km` : `${bar.m} m`}</text></g>
        </svg>
      </div>
      <h2>${words.legend}</h2>
      <div>${swatch("ok")}${words.ok}${words.count(counts.ok)}</div>
      <div>${swatch("under")}${words.under}${words.count(counts.under)}</div>
      <div>${swatch("over")}${words.over}${words.count(counts.over)}</div>
      <div><i class="line" style="border-color:${MAP_COLORS.communityLine}"></i>${words.communityBoundary}</div>
      <div><i class="line" style="border-color:${MAP_COLORS.roadCasing}"></i>${words.road}</div>
      <h2>${words.codes}</h2>
      <p>${words.codesHint}</p>
      ${communities.rows.map((c) => `<div class="community">${esc(c.code)} ${esc(nameIn(opts.lang, c))}</div>`).join("")}
    </aside>`;
  const body = `<header><h1>${esc(title)}</h1><span>${words.grids(grids.rows.length)} · ${esc(today)}</span></header>
    ${svg}${legend}
    <footer>${words.source}${esc(inLanguage(opts.lang, p.attribution) || words.appName)} · ${words.madeBy} · ${esc(today)}</footer>`;
  const css = `
    header { position: absolute; left: 24px; top: 14px; right: 24px; display: flex; align-items: baseline; gap: 16px }
    h1 { font-size: 22px; margin: 0 } header span { color: #475569; font-size: 13px }
    .map { position: absolute; left: 0; top: 0 }
    .code { font-weight: 700; fill: ${MAP_COLORS.gridLabel}; paint-order: stroke; stroke: rgba(255,255,255,0.9); stroke-width: 2.4px }
    .community-name { font-weight: 700; fill: ${MAP_COLORS.communityLabel}; paint-order: stroke; stroke: rgba(255,255,255,0.95); stroke-width: 4px; stroke-linejoin: round }
    .legend { position: absolute; right: 20px; top: 64px; width: ${legendW}px; font-size: 12px; line-height: 1.7 }
    .orient { display: flex; align-items: flex-end; gap: 18px; margin-bottom: 6px }
    .legend h2 { font-size: 14px; margin: 8px 0 4px } .legend p { margin: 0 0 4px; color: #475569 }
    .legend i { display: inline-block; width: 18px; height: 14px; margin-right: 6px; vertical-align: -2px; border: 1px solid ${MAP_COLORS.gridLine};
      outline: 1px solid #94a3b8; font-style: normal; font-size: 9px; line-height: 14px; text-align: center; color: #111827 }
    .legend i.line { height: 0; border: 0; outline: 0; border-top: 3px solid }
    .community { font-size: 11px; color: #334155 }
    footer { position: absolute; left: 24px; right: 24px; bottom: 8px; height: 40px; overflow: hidden; font-size: 10px; line-height: 1.35; color: #475569 }`;
  return pageHtml(opts.paper, body, css, opts.lang);
}

/**
 * The change list (划转清单) from plan a to plan b as a printable table: every entrance whose grid changes,
 * with its building, households, old and new grid, and the totals.
 */
export async function transfersHtml(db: Db, a: number, b: number, paper: Paper, lang: PrintLang): Promise<string> {
  const words = WORDS[lang];
  const plans = await sql<{ id: number; name: string; sname: string; sname_en: string | null; attribution: string }>`
    select p.id, p.name, s.name as sname, s.name_en as sname_en, s.attribution from plan p
    join subdistrict s on s.code = p.subdistrict_code
    where p.id in (${a}, ${b})`.execute(db);
  const pa = plans.rows.find((r) => r.id === a);
  const pb = plans.rows.find((r) => r.id === b);
  if (!pa || !pb) throw notFound("没有这个方案", "no such plan");
  const rows = await sql<{
    name: string;
    name_en: string | null;
    building: string | null;
    seq: number | null;
    households: number;
    from_code: string;
    to_code: string;
  }>`
    select c.name, c.name_en, bl.name as building, e.seq, coalesce(e.households, 0)::int as households,
      ga.code as from_code, gb.code as to_code
    from plan_parcel x join grid ga on ga.id = x.grid_id
    join plan_parcel y on y.parcel_id = x.parcel_id and y.plan_id = ${b} join grid gb on gb.id = y.grid_id
    join parcel pa on pa.id = x.parcel_id join community c on c.code = pa.community_code
    left join entrance e on e.id = pa.entrance_id left join building bl on bl.id = pa.building_id
    where x.plan_id = ${a} and ga.code <> gb.code and e.id is not null
    order by ga.code, gb.code, bl.name, e.seq`.execute(db);
  const total = rows.rows.reduce((n, r) => n + r.households, 0);
  const today = todayIn(lang);
  const subdistrict = nameIn(lang, { name: pa.sname, name_en: pa.sname_en });
  const body = `<main><h1>${esc(words.transfersTitle(subdistrict))}</h1>
    <p>${esc(words.transfersLead(pa.name, pb.name, rows.rows.length, total))} · ${esc(today)}</p>
    <table><thead><tr>${words.columns.map((c) => `<th>${c}</th>`).join("")}</tr></thead><tbody>
      ${rows.rows
        .map(
          (
            r,
          ) => `<tr><td>${esc(nameIn(lang, r))}</td><td>${esc(r.building ?? "")}</td><td>${r.seq ?? ""}</td><td class="n">${r.households}</td>
            <td>${esc(r.from_code)}</td><td>${esc(r.to_code)}</td></tr>`,
        )
        .join("")}
    </tbody></table>
    <footer>${words.source}${esc(inLanguage(lang, pa.attribution) || words.appName)} · ${words.appName}</footer></main>`;
  const css = `
    html, body { height: auto; overflow: visible }
    main { padding: 28px 32px } h1 { font-size: 22px; margin: 0 0 6px } p { font-size: 12px; color: #475569 }
    table { border-collapse: collapse; width: 100%; font-size: 11px }
    th, td { border: 1px solid #cbd5e1; padding: 3px 6px; text-align: left } th { background: #f1f5f9 }
    td.n { text-align: right } thead { display: table-header-group } tr { break-inside: avoid }
    footer { margin-top: 12px; font-size: 10px; color: #475569 }`;
  return pageHtml(paper, body, css, lang);
}
