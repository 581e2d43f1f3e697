import type { SqlClient } from "../db.ts";
import type { Problem } from "./read.ts";

/**
 * Writes each new building's code (楼栋编码) from the staged layer, once insertBuildings has written the buildings
 * (_imp_building maps them to the layer's rows), so that a corrected layer imported later finds them.
 */
export async function recordBuildingCodes(client: SqlClient): Promise<void> {
  await client.query(
    `update building b set code = o.code
     from _imp_building i join _osm_building o on o.ref = i.ref
     where b.id = i.id and o.code is not null`,
  );
}

/** The buildings a subdistrict holds before a corrected layer replaces them (read before the new ones go in). */
export async function rememberOldBuildings(client: SqlClient, subdistrict: string): Promise<number> {
  const r = await client.query(
    `create temp table _re_old on commit drop as
       select b.id, b.code, b.name from building b join community c on c.code = b.community_code
       where c.subdistrict_code = $1`,
    [subdistrict],
  );
  return r.rowCount ?? 0;
}

export interface CarriedBuildings {
  /** Old buildings matched by code to a building of the new layer. */
  matched: number;
  added: number;
  removed: number;
  /** Old buildings (or entrances) that go but hold recorded visits: the import is refused. */
  problems: Problem[];
}

/**
 * Hands what hangs on the old buildings over to the new ones of the same code (the n-th part of a code to its n-th
 * part, an entrance to the entrance of the same number): the old parcels (so that build_territory carries every
 * plan's grid over by entrance), visits and their monthly rollups. Then the old buildings go. An old building or
 * entrance that has no counterpart and holds recorded visits is a problem: visits are the workers' record and are
 * never dropped by an import.
 */
export async function carryOverBuildings(client: SqlClient): Promise<CarriedBuildings> {
  await client.query(
    `create temp table _re_pair on commit drop as
       with o as (select id, code, row_number() over (partition by code order by id) k from _re_old where code is not null),
         n as (
           select b.id, b.code, row_number() over (partition by b.code order by b.id) k
           from building b join _imp_building i on i.id = b.id where b.code is not null
         )
       select o.id old_id, n.id new_id from o join n using (code, k);
     create temp table _re_entrance on commit drop as
       select eo.id old_id, en.id new_id, en.building_id new_building
       from _re_pair p
       join entrance eo on eo.building_id = p.old_id
       join entrance en on en.building_id = p.new_id and en.seq = eo.seq;`,
  );
  const lost = await client.query<{ code: string | null; name: string; visits: number }>(
    `with gone_e as (
       select e.id, e.building_id from entrance e join _re_old o on o.id = e.building_id
       where e.id not in (select old_id from _re_entrance)
     ), gone_b as (select id from _re_old where id not in (select old_id from _re_pair))
     select o.code, o.name, sum(n.visits)::int visits
     from _re_old o cross join lateral (
       select count(*) visits from visit v
       where v.building_id = o.id and o.id in (select id from gone_b)
          or v.entrance_id in (select id from gone_e where building_id = o.id)
       union all
       select count(*) from visit_month v
       where v.building_id = o.id and o.id in (select id from gone_b)
          or v.entrance_id in (select id from gone_e where building_id = o.id)
     ) n
     group by o.id, o.code, o.name having sum(n.visits) > 0
     order by o.id`,
  );
  const problems: Problem[] = lost.rows.map((b) => {
    const what = b.code ? `${b.name}（${b.code}）` : b.name;
    const whatEn = b.code ? `${b.name} (${b.code})` : b.name;
    return {
      layer: "buildings",
      row: null,
      field: "楼栋编码",
      zh: `楼栋 ${what} 有 ${b.visits} 条走访记录，但新的楼栋图层中没有它（或它的单元少了）：请保留它的楼栋编码和单元数`,
      en: `building ${whatEn} has ${b.visits} recorded visits but is missing from the new buildings layer (or lost entrances): keep its code and its entrances`,
    };
  });
  if (problems.length) return { matched: 0, added: 0, removed: 0, problems };
  await client.query(
    `update parcel p set entrance_id = r.new_id, building_id = r.new_building
     from _re_entrance r where p.entrance_id = r.old_id;
     update parcel set entrance_id = null, building_id = null where building_id in (select id from _re_old);
     update visit v set entrance_id = r.new_id from _re_entrance r where v.entrance_id = r.old_id;
     update visit v set building_id = p.new_id from _re_pair p where v.building_id = p.old_id;
     update visit_month v set entrance_id = r.new_id from _re_entrance r where v.entrance_id = r.old_id;
     update visit_month v set building_id = p.new_id from _re_pair p where v.building_id = p.old_id;
     delete from building where id in (select id from _re_old);`,
  );
  const n = await client.query<{ matched: number; added: number; removed: number }>(
    `select (select count(*) from _re_pair)::int matched,
       (select count(*) from _imp_building where id not in (select new_id from _re_pair))::int added,
       (select count(*) from _re_old where id not in (select old_id from _re_pair))::int removed`,
  );
  return { ...n.rows[0]!, problems };
}
