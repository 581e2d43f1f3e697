import type { Actor } from "../../db/audit.ts";
import type { Db } from "../../db/db.ts";
import { DomainError } from "../../errors.ts";
import type { PlanImportRequest } from "./imports.input.ts";
import { auditImport, withSqlClient } from "./imports.jobs.ts";
import { invalidRows, type RowProblem, readUpload } from "./imports.layers.ts";

const CODE_NAMES = ["code", "grid_code", "网格编码", "编码", "编号"];
const NAME_NAMES = ["name", "grid_name", "网格名称", "名称"];

/**
 * Moves a subdistrict's current, hand-drawn grids into GridAtlas as a draft plan. Hand-drawn boundaries overlap,
 * leave gaps and cut buildings; parcels do none of that, so each parcel goes to the grid (of its own community)
 * that covers most of it, and a parcel no grid covers joins the neighbour it shares most boundary with. The
 * report lists exactly what was wrong with the old boundaries — overlaps, gaps, buildings and compounds they
 * split, grids across communities, codes that had to change — each with its geometry, for the map.
 * All in one transaction; a dry run reports and rolls back.
 */
export async function importPlan(db: Db, req: PlanImportRequest, actor: Actor) {
  const read = await readUpload(db, req, actor);
  const fields = read.layer.fields.map((f) => f.name);
  const pick = (given: string | undefined, names: string[]) =>
    given ?? fields.find((f) => names.includes(f.toLowerCase())) ?? null;
  const codeField = pick(req.code_field, CODE_NAMES);
  const nameField = pick(req.name_field, NAME_NAMES);
  const problems: RowProblem[] = [];
  const grids = read.features.flatMap((f) => {
    const g = f.geometry;
    if (!g || (g.type !== "Polygon" && g.type !== "MultiPolygon")) {
      problems.push({
        row: f.row,
        field: "geometry",
        zh: `网格应为多边形，实为 ${g?.type ?? "空"}`,
        en: `a grid must be a polygon, not ${g?.type ?? "empty"}`,
      });
      return [];
    }
    const code = codeField ? String(f.properties[codeField] ?? "").trim() : "";
    const name = nameField ? String(f.properties[nameField] ?? "").trim() : "";
    return [{ row: f.row, code, name, geometry: JSON.stringify(g) }];
  });
  const result = await withSqlClient(db, async (client) => {
    await client.query("begin");
    try {
      await client.query(
        `create temp table _hg on commit drop as
         select u.row, u.code, u.name, ST_SetSRID(ST_GeomFromGeoJSON(u.g), 4326) g
         from unnest($1::int[], $2::text[], $3::text[], $4::text[]) u(row, code, name, g)`,
        [grids.map((g) => g.row), grids.map((g) => g.code), grids.map((g) => g.name), grids.map((g) => g.geometry)],
      );
      const invalid = await client.query<{ row: number; reason: string }>(
        "select row, ST_IsValidReason(g) reason from _hg where not ST_IsValid(g) order by row",
      );
      for (const r of invalid.rows) {
        problems.push({
          row: r.row,
          field: "geometry",
          zh: `几何图形无效：${r.reason}`,
          en: `invalid geometry: ${r.reason}`,
        });
      }
      if (problems.length) {
        throw invalidRows(problems.length, { problems: problems.sort((a, b) => a.row - b.row) });
      }
      const out = await buildPlan(client, req, read.subdistrict, actor);
      if (req.dry_run) await client.query("rollback");
      else {
        await auditImport(client, actor, "import_plan", "plan", String(out.plan_id), {
          file: req.file,
          report: out.report,
        });
        await client.query("commit");
      }
      return req.dry_run ? { ...out, plan_id: null } : out;
    } catch (err) {
      await client.query("rollback").catch(() => {});
      throw err;
    }
  });
  return { ...result, crs: read.crs };
}

type Client = Parameters<Parameters<typeof withSqlClient>[1]>[0];

async function buildPlan(client: Client, req: PlanImportRequest, subdistrict: string, actor: Actor) {
  const q = <R extends Record<string, unknown>>(text: string, values: unknown[] = []) =>
    client.query<R>(text, values).then((r) => r.rows);
  const srid = (
    await q<{ metric_srid: number }>("select metric_srid from subdistrict where code = $1", [subdistrict])
  )[0]!.metric_srid;
  // Each drawn grid belongs to the community it covers most; its code must begin with that community's.
  await q("alter table _hg add column community text, add column m geometry");
  await q("update _hg set m = ST_Transform(g, $1::int)", [srid]);
  await q(
    `update _hg h set community = (
       select c.code from community c where c.subdistrict_code = $1 and ST_Intersects(c.geom, h.g)
       order by ST_Area(ST_Intersection(ST_Transform(c.geom, $2::int), h.m)) desc, c.code limit 1)`,
    [subdistrict, srid],
  );
  await q("create index on _hg using gist (g)");
  const outside = await q<{ row: number }>("select row from _hg where community is null order by row");
  const overlaps = await q<{ a: number; b: number; area_m2: number; geometry: unknown }>(
    `select a.row a, b.row b, ST_Area(i) area_m2, ST_AsGeoJSON(ST_Transform(i, 4326), 7)::json geometry
     from _hg a join _hg b on b.row > a.row and a.g && b.g
     cross join lateral (select ST_CollectionExtract(ST_Intersection(a.m, b.m), 3) i) x
     where ST_Area(i) > 1 order by a.row, b.row`,
  );
  const gaps = await q<{ community: string; area_m2: number; geometry: unknown }>(
    `select c.code community, ST_Area(d.geom) area_m2, ST_AsGeoJSON(ST_Transform(d.geom, 4326), 7)::json geometry
     from community c
     cross join lateral ST_Dump(ST_CollectionExtract(ST_Difference(ST_Transform(c.geom, $2::int),
       coalesce((select ST_Union(h.m) from _hg h where h.g && c.geom), ST_SetSRID('POLYGON EMPTY'::geometry, $2::int))), 3)) d
     where c.subdistrict_code = $1 and ST_Area(d.geom) > 1
     order by c.code, ST_Area(d.geom) desc`,
    [subdistrict, srid],
  );
  const split = (table: "building" | "compound") =>
    q<{ id: number; name: string; grids: number[]; geometry: unknown }>(
      `select t.id, t.name, array_agg(h.row order by h.row) grids, ST_AsGeoJSON(t.geom, 7)::json geometry
       from ${table} t join community c on c.code = t.community_code and c.subdistrict_code = $1
       join _hg h on h.g && t.geom and ST_Intersects(h.g, t.geom)
       where ST_Area(ST_Intersection(h.m, ST_Transform(t.geom, $2::int))) > greatest(1, 0.02 * ST_Area(ST_Transform(t.geom, $2::int)))
       group by t.id, t.name, t.geom having count(*) > 1 order by t.id`,
      [subdistrict, srid],
    );
  const buildingsSplit = await split("building");
  const compoundsSplit = await split("compound");

  // Codes: the drawn one when it is 15 digits of the grid's community and not taken twice, else the next free one.
  const drawn = await q<{ row: number; code: string; name: string; community: string | null }>(
    "select row, code, name, community from _hg order by row",
  );
  const used = new Set<string>();
  const codes = new Map<number, string>();
  const changed: { row: number; from: string; to: string }[] = [];
  for (const d of drawn) {
    if (d.community && /^\d{15}$/.test(d.code) && d.code.startsWith(d.community) && !used.has(d.code)) {
      codes.set(d.row, d.code);
      used.add(d.code);
    }
  }
  const communityNames = new Map(
    (
      await q<{ code: string; name: string }>("select code, name from community where subdistrict_code = $1", [
        subdistrict,
      ])
    ).map((c) => [c.code, c.name]),
  );
  const next = (community: string) => {
    for (let k = 1; k < 1000; k++) {
      const code = `${community}${String(k).padStart(3, "0")}`;
      if (!used.has(code)) {
        used.add(code);
        return code;
      }
    }
    throw new DomainError("precondition", "too_many_grids", "社区网格超过999个", "more than 999 grids in a community");
  };
  for (const d of drawn) {
    if (!d.community || codes.has(d.row)) continue;
    const code = next(d.community);
    codes.set(d.row, code);
    changed.push({ row: d.row, from: d.code, to: code });
  }

  const plan = (
    await q<{ id: number }>(
      `insert into plan (subdistrict_code, name, status, owner) values ($1, $2, 'draft', $3) returning id`,
      [subdistrict, req.name, actor.username],
    )
  )[0]!.id;
  const gridRows = drawn.filter((d) => d.community);
  await q(
    `insert into grid (plan_id, code, community_code, name)
     select $1, u.code, u.community, u.name from unnest($2::text[], $3::text[], $4::text[]) u(code, community, name)`,
    [
      plan,
      gridRows.map((d) => codes.get(d.row)!),
      gridRows.map((d) => d.community),
      gridRows.map(
        (d) => d.name || `${communityNames.get(d.community!) ?? ""}第${Number(codes.get(d.row)!.slice(12))}网格`,
      ),
    ],
  );
  await q("alter table _hg add column grid_id int");
  await q(
    "update _hg h set grid_id = g.id from grid g, unnest($2::int[], $3::text[]) u(row, code) where g.plan_id = $1 and g.code = u.code and u.row = h.row",
    [plan, gridRows.map((d) => d.row), gridRows.map((d) => codes.get(d.row)!)],
  );
  // Parcels to the drawn grid of their community covering most of them.
  const assigned = await q<{ n: number }>(
    `with best as (
       select distinct on (p.id) p.id, p.community_code, h.grid_id
       from parcel p join community c on c.code = p.community_code and c.subdistrict_code = $2
       join _hg h on h.community = p.community_code and h.g && p.geom and ST_Intersects(h.g, p.geom)
       order by p.id, ST_Area(ST_Intersection(h.m, ST_Transform(p.geom, $3::int))) desc, h.row
     ), ins as (
       insert into plan_parcel (plan_id, parcel_id, grid_id, community_code)
       select $1, id, grid_id, community_code from best returning 1
     ) select count(*)::int n from ins`,
    [plan, subdistrict, srid],
  );
  // Parcels in no drawn grid (gaps) join their neighbour of the longest shared boundary, repeatedly.
  let filled = 0;
  for (;;) {
    const r = await q<{ n: number }>(
      `with cand as (
         select distinct on (p.id) p.id, p.community_code, pp.grid_id
         from parcel p join community c on c.code = p.community_code and c.subdistrict_code = $2
         join (select a me, b other, length_m from parcel_edge union all select b, a, length_m from parcel_edge) e on e.me = p.id
         join plan_parcel pp on pp.plan_id = $1 and pp.parcel_id = e.other
         where not exists (select 1 from plan_parcel x where x.plan_id = $1 and x.parcel_id = p.id)
         order by p.id, e.length_m desc, pp.grid_id
       ), ins as (
         insert into plan_parcel (plan_id, parcel_id, grid_id, community_code)
         select $1, id, grid_id, community_code from cand returning 1
       ) select count(*)::int n from ins`,
      [plan, subdistrict],
    );
    if (!r[0]!.n) break;
    filled += r[0]!.n;
  }
  // A community no drawn grid reaches gets one grid holding all its parcels, named as such.
  const bare = await q<{ community: string }>(
    `select distinct p.community_code community from parcel p join community c on c.code = p.community_code
     where c.subdistrict_code = $2 and not exists (select 1 from plan_parcel x where x.plan_id = $1 and x.parcel_id = p.id)
     order by 1`,
    [plan, subdistrict],
  );
  for (const { community } of bare) {
    const code = next(community);
    await q(
      `with g as (insert into grid (plan_id, code, community_code, name) values ($1, $2, $3, $4) returning id)
       insert into plan_parcel (plan_id, parcel_id, grid_id, community_code)
       select $1, p.id, (select id from g), p.community_code from parcel p
       where p.community_code = $3 and not exists (select 1 from plan_parcel x where x.plan_id = $1 and x.parcel_id = p.id)`,
      [plan, code, community, `${communityNames.get(community) ?? community}（原方案未覆盖）`],
    );
  }
  await q(
    `delete from grid g where g.plan_id = $1 and not exists (select 1 from plan_parcel pp where pp.grid_id = g.id)`,
    [plan],
  );
  await q(
    `update grid g set geom = u.geom from (
       select pp.grid_id, ST_Multi(ST_Union(p.geom)) geom from plan_parcel pp join parcel p on p.id = pp.parcel_id
       where pp.plan_id = $1 group by pp.grid_id
     ) u where u.grid_id = g.id`,
    [plan],
  );
  const counts = (
    await q<{ grids: number; parcels: number }>(
      `select (select count(*) from grid where plan_id = $1)::int grids, (select count(*) from plan_parcel where plan_id = $1)::int parcels`,
      [plan],
    )
  )[0]!;
  const geometry = {
    type: "FeatureCollection" as const,
    features: [
      ...overlaps.map((o) => ({
        type: "Feature" as const,
        geometry: o.geometry,
        properties: { kind: "overlap", rows: [o.a, o.b], area_m2: o.area_m2 },
      })),
      ...gaps.map((g) => ({
        type: "Feature" as const,
        geometry: g.geometry,
        properties: { kind: "gap", community: g.community, area_m2: g.area_m2 },
      })),
      ...buildingsSplit.map((b) => ({
        type: "Feature" as const,
        geometry: b.geometry,
        properties: { kind: "building_split", id: b.id, name: b.name, rows: b.grids },
      })),
      ...compoundsSplit.map((c) => ({
        type: "Feature" as const,
        geometry: c.geometry,
        properties: { kind: "compound_split", id: c.id, name: c.name, rows: c.grids },
      })),
    ],
  };
  return {
    plan_id: plan as number | null,
    grids: counts.grids,
    parcels: counts.parcels,
    report: {
      drawn_grids: drawn.length,
      parcels_by_cover: assigned[0]!.n,
      parcels_filled_from_neighbours: filled,
      outside_subdistrict: outside.map((o) => o.row),
      overlaps: overlaps.map(({ geometry: _g, ...o }) => o),
      gaps: gaps.map(({ geometry: _g, ...g }) => g),
      buildings_split: buildingsSplit.map(({ geometry: _g, ...b }) => b),
      compounds_split: compoundsSplit.map(({ geometry: _g, ...c }) => c),
      codes_changed: changed,
      communities_without_grid: bare.map((b) => b.community),
    },
    geometry,
  };
}
