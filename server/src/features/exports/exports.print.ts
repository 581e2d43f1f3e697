import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { chromium } from "playwright-core";
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

function pageHtml(paper: Paper, body: string, css: string): string {
  const { w, h } = PAGE_PX[paper];
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
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

const STATUS_FILL = { under: "#fde68a", ok: "#bbf7d0", over: "#fecaca" } as const;

/**
 * A printable map of a plan's grids — of the subdistrict or one community — with title, legend, scale bar,
 * north arrow, grid codes (the 3-digit sequence on the map, the community codes in the legend), date and source.
 */
export async function planMapHtml(
  db: Db,
  opts: { plan?: number | undefined; community?: string | undefined; paper: Paper; title?: string | undefined },
): Promise<string> {
  const plan = await sql<{
    id: number;
    name: string;
    status: string;
    subdistrict_code: string;
    attribution: string;
    sname: string;
  }>`
    select p.id, p.name, p.status, p.subdistrict_code, s.attribution, s.name as sname from plan p
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
  const communities = await sql<{ code: string; name: string; geometry: Geo }>`
    select c.code, c.name, ST_AsGeoJSON(c.geom, 6)::json as geometry from community c
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
  const frame = { x: 24, y: 64, w: W - 24 - 260, h: H - 64 - 72 };
  const proj = projector([b.w, b.s, b.e, b.n], frame);
  const bar = scaleBar(proj.pxPerM, frame.w);
  const font = Math.max(7, Math.min(13, Math.sqrt((frame.w * frame.h) / grids.rows.length) / 6));
  const counts = { under: 0, ok: 0, over: 0 };
  for (const g of grids.rows) counts[g.status]++;
  const today = new Date().toLocaleDateString("zh-CN", { timeZone: "Asia/Shanghai" });
  const title = opts.title ?? `${p.sname}网格划分图 · ${p.name}${p.status === "draft" ? "（草稿）" : ""}`;
  const svg = [
    `<svg class="map" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg">`,
    `<rect x="${frame.x}" y="${frame.y}" width="${frame.w}" height="${frame.h}" fill="#f8fafc" stroke="#94a3b8"/>`,
    `<g clip-path="url(#frame)"><clipPath id="frame"><rect x="${frame.x}" y="${frame.y}" width="${frame.w}" height="${frame.h}"/></clipPath>`,
    ...grids.rows.map(
      (g) =>
        `<path class="grid" d="${svgPath(g.geometry, proj.xy)}" fill="${STATUS_FILL[g.status]}" stroke="#475569" stroke-width="0.6" fill-rule="evenodd"/>`,
    ),
    ...roads.rows.map(
      (r) =>
        `<path d="${svgPath(r.geometry, proj.xy)}" fill="none" stroke="#ffffff" stroke-width="${r.class === "arterial" ? 3 : r.class === "secondary" ? 2 : 1.2}" stroke-opacity="0.9"/>`,
    ),
    ...communities.rows.map(
      (c) =>
        `<path d="${svgPath(c.geometry, proj.xy)}" fill="none" stroke="#1e3a8a" stroke-width="2" fill-rule="evenodd"/>`,
    ),
    ...grids.rows.map((g) => {
      const [x, y] = proj.xy(g.lx, g.ly);
      return `<text class="code" x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="${font.toFixed(1)}" text-anchor="middle" dominant-baseline="middle">${g.code.slice(12)}</text>`;
    }),
    "</g>",
    // North arrow, top right of the frame.
    `<g transform="translate(${frame.x + frame.w - 34},${frame.y + 16})"><path d="M12 0 L22 30 L12 24 L2 30 Z" fill="#111827"/><text x="12" y="44" text-anchor="middle" font-size="12">北 N</text></g>`,
    // Scale bar, bottom left of the frame.
    `<g transform="translate(${frame.x + 14},${frame.y + frame.h - 22})"><rect width="${bar.px.toFixed(1)}" height="6" fill="#111827"/><rect width="${(bar.px / 2).toFixed(1)}" height="6" fill="#fff" stroke="#111827"/>`,
    `<text x="0" y="-4" font-size="11">0</text><text x="${bar.px.toFixed(1)}" y="-4" font-size="11" text-anchor="middle">${bar.m >= 1000 ? `${bar.m / 1000} km` : `${bar.m} m`}</text></g>`,
    "</svg>",
  ].join("");
  const legend = `<aside class="legend">
      <h2>图例 Legend</h2>
      <div><i style="background:${STATUS_FILL.ok}"></i>户数在标准内 in band（${counts.ok}）</div>
      <div><i style="background:${STATUS_FILL.under}"></i>低于下限 under（${counts.under}）</div>
      <div><i style="background:${STATUS_FILL.over}"></i>高于上限 over（${counts.over}）</div>
      <div><i class="line" style="border-color:#1e3a8a"></i>社区界 community boundary</div>
      <div><i class="line" style="border-color:#cbd5e1"></i>道路 road</div>
      <h2>网格编码 Grid codes</h2>
      <p>图中数字为序号；网格编码 = 社区编码 + 序号。</p>
      ${communities.rows.map((c) => `<div class="community">${esc(c.code)} ${esc(c.name)}</div>`).join("")}
    </aside>`;
  const body = `<header><h1>${esc(title)}</h1><span>${grids.rows.length} 个网格 grids · ${esc(today)}</span></header>
    ${svg}${legend}
    <footer>数据来源 Source：${esc(p.attribution || "GridAtlas")} · 制图：网格一张图 GridAtlas · ${esc(today)}</footer>`;
  const css = `
    header { position: absolute; left: 24px; top: 14px; right: 24px; display: flex; align-items: baseline; gap: 16px }
    h1 { font-size: 22px; margin: 0 } header span { color: #475569; font-size: 13px }
    .map { position: absolute; left: 0; top: 0 }
    .code { font-weight: 700; fill: #111827; paint-order: stroke; stroke: #fff; stroke-width: 2px }
    .legend { position: absolute; right: 20px; top: 64px; width: 224px; font-size: 12px; line-height: 1.7 }
    .legend h2 { font-size: 14px; margin: 8px 0 4px } .legend p { margin: 0 0 4px; color: #475569 }
    .legend i { display: inline-block; width: 18px; height: 12px; margin-right: 6px; vertical-align: -1px; border: 1px solid #475569 }
    .legend i.line { height: 0; border: 0; border-top: 3px solid }
    .community { font-size: 11px; color: #334155 }
    footer { position: absolute; left: 24px; right: 24px; bottom: 10px; height: 52px; overflow: hidden; font-size: 10px; line-height: 1.35; color: #475569 }`;
  return pageHtml(opts.paper, body, css);
}

/**
 * The change list (划转清单) from plan a to plan b as a printable table: every entrance whose grid changes,
 * with its building, households, old and new grid, and the totals.
 */
export async function transfersHtml(db: Db, a: number, b: number, paper: Paper): Promise<string> {
  const plans = await sql<{ id: number; name: string; sname: string; attribution: string }>`
    select p.id, p.name, s.name as sname, s.attribution from plan p join subdistrict s on s.code = p.subdistrict_code
    where p.id in (${a}, ${b})`.execute(db);
  const pa = plans.rows.find((r) => r.id === a);
  const pb = plans.rows.find((r) => r.id === b);
  if (!pa || !pb) throw notFound("没有这个方案", "no such plan");
  const rows = await sql<{
    community: string;
    building: string | null;
    seq: number | null;
    households: number;
    from_code: string;
    to_code: string;
  }>`
    select c.name as community, bl.name as building, e.seq, coalesce(e.households, 0)::int as households,
      ga.code as from_code, gb.code as to_code
    from plan_parcel x join grid ga on ga.id = x.grid_id
    join plan_parcel y on y.parcel_id = x.parcel_id and y.plan_id = ${b} join grid gb on gb.id = y.grid_id
    join parcel pa on pa.id = x.parcel_id join community c on c.code = pa.community_code
    left join entrance e on e.id = pa.entrance_id left join building bl on bl.id = pa.building_id
    where x.plan_id = ${a} and ga.code <> gb.code and e.id is not null
    order by ga.code, gb.code, bl.name, e.seq`.execute(db);
  const total = rows.rows.reduce((n, r) => n + r.households, 0);
  const today = new Date().toLocaleDateString("zh-CN", { timeZone: "Asia/Shanghai" });
  const body = `<main><h1>${esc(pa.sname)}网格划转清单</h1>
    <p>从“${esc(pa.name)}”到“${esc(pb.name)}”：${rows.rows.length} 个单元、${total} 户改变网格 · From ${esc(pa.name)} to ${esc(pb.name)}:
      ${rows.rows.length} entrances, ${total} households change grid · ${esc(today)}</p>
    <table><thead><tr><th>社区 Community</th><th>楼栋 Building</th><th>单元 Entrance</th><th>户数 Households</th>
      <th>原网格 From</th><th>新网格 To</th></tr></thead><tbody>
      ${rows.rows
        .map(
          (
            r,
          ) => `<tr><td>${esc(r.community)}</td><td>${esc(r.building ?? "")}</td><td>${r.seq ?? ""}</td><td class="n">${r.households}</td>
            <td>${esc(r.from_code)}</td><td>${esc(r.to_code)}</td></tr>`,
        )
        .join("")}
    </tbody></table>
    <footer>数据来源 Source：${esc(pa.attribution || "GridAtlas")} · 网格一张图 GridAtlas</footer></main>`;
  const css = `
    html, body { height: auto; overflow: visible }
    main { padding: 28px 32px } h1 { font-size: 22px; margin: 0 0 6px } p { font-size: 12px; color: #475569 }
    table { border-collapse: collapse; width: 100%; font-size: 11px }
    th, td { border: 1px solid #cbd5e1; padding: 3px 6px; text-align: left } th { background: #f1f5f9 }
    td.n { text-align: right } thead { display: table-header-group } tr { break-inside: avoid }
    footer { margin-top: 12px; font-size: 10px; color: #475569 }`;
  return pageHtml(paper, body, css);
}
