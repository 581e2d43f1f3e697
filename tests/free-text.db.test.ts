import { tableVersions } from "@gridatlas/server/db/checksum.ts";
import { around, nearMiss, residentIdentifier } from "@gridatlas/server/test-support/resident-data.ts";
import { useTestApp } from "@gridatlas/server/test-support/test-app.ts";
import type { TestSession } from "@gridatlas/server/test-support/test-session.ts";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { freeTextFields, type OpenApiRoute, openApiRoutes } from "./support/routes.ts";

/**
 * Issue 16, "privacy by design": every free-text field (`x-free-text` in the OpenAPI document) of every write route
 * refuses resident ID numbers, mobile and landline numbers embedded in any text with 400 `personal_data` naming
 * the field, and changes nothing; numbers that are no one's identifier (an 18-digit number with a wrong check
 * digit, grid codes, dates, household counts) are stored as written. Imports take the same rule per cell.
 */

const t = useTestApp("free-text");
// Sessions and the audit of refusals are not "the data".
const EXCEPT = ["session", "audit_event", "account", "sign_in_failure"];

type Sample = { session: TestSession; path: string; body: Record<string, unknown>; writes: boolean };
/** A valid request of each route with free text, made fresh for every run (a visit or an inspection per day). */
let samples: Map<string, () => Promise<Sample>>;
let routes: OpenApiRoute[];
let secretary: TestSession;

const day = (k: number) => new Date(Date.now() + 8 * 3600_000 - k * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  routes = await openApiRoutes(t.app);
  // A community with a worker in post for a year, an entrance of its grids and a venue in them.
  const [place] = await t.rows<{
    community: string;
    worker_id: number;
    entrance_id: number;
    venue_id: number;
    lng: number;
    lat: number;
  }>(
    `select w.community_code as community, w.id as worker_id, e.id as entrance_id, v.id as venue_id,
       ST_X(e.geom) as lng, ST_Y(e.geom) as lat
     from worker w join worker_assignment wa on wa.worker_id = w.id
     join published_parcel pp on pp.grid_code = wa.grid_code
     join parcel pa on pa.id = pp.parcel_id join entrance e on e.id = pa.entrance_id
     join venue v on v.parcel_id in (select parcel_id from published_parcel where grid_code = wa.grid_code)
     where w.retired_on is null and w.started_on < current_date - 400 and w.role = 'grid_worker'
     order by w.id, e.id limit 1`,
  );
  if (!place) throw new Error("no worker with an entrance and a venue in its grids");
  secretary = await t.as(`secretary-${place.community}`);
  const [plan] = await t.rows<{ id: number; version: number }>(
    "select id, version from plan where status = 'published' limit 1",
  );
  let visitDay = 0;
  let inspectionDay = 0;
  const hazard = async () => {
    const res = await secretary.send("POST", "/api/hazards", {
      geometry: { type: "Point", coordinates: [place.lng, place.lat] },
      category: "fire",
      severity: "low",
      title: "楼道堆物",
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const j = (await res.json()) as { id?: number; properties?: { id: number } };
    return j.properties?.id ?? j.id ?? 0;
  };
  samples = new Map<string, () => Promise<Sample>>([
    [
      "POST /api/visits",
      async () => ({
        session: secretary,
        path: "/api/visits",
        body: { worker_id: place.worker_id, entrance_id: place.entrance_id, visited_on: day(++visitDay), note: "走访" },
        writes: true,
      }),
    ],
    [
      "POST /api/hazards",
      async () => ({
        session: secretary,
        path: "/api/hazards",
        body: {
          geometry: { type: "Point", coordinates: [place.lng, place.lat] },
          category: "fire",
          severity: "low",
          title: "楼道堆物",
          note: "说明",
        },
        writes: true,
      }),
    ],
    [
      "POST /api/hazards/{id}/transitions",
      async () => ({
        session: secretary,
        path: `/api/hazards/${await hazard()}/transitions`,
        body: { to: "assigned", note: "交网格员处理" },
        writes: true,
      }),
    ],
    [
      "POST /api/venues/{id}/inspections",
      async () => ({
        session: secretary,
        path: `/api/venues/${place.venue_id}/inspections`,
        body: {
          inspected_on: day(++inspectionDay),
          result: "issues_found",
          note: "备注",
          follow_up: "整改",
          inspector_id: place.worker_id,
          hazards: [{ category: "fire", severity: "low", title: "灭火器过期", note: "两具" }],
        },
        writes: true,
      }),
    ],
    [
      // Publishing is not repeated here (plans.db.test.ts publishes): the free text is checked before the plan is
      // read, and a published plan answers that it is no draft.
      "POST /api/plans/{id}/publish",
      async () => ({
        session: await t.as("planner"),
        path: `/api/plans/${plan!.id}/publish`,
        body: { version: plan!.version, confirm: true, reason: "按网格调整" },
        writes: false,
      }),
    ],
  ]);
});

function withText(body: Record<string, unknown>, field: string, text: string): Record<string, unknown> {
  const copy = structuredClone(body);
  const keys = field.split(".");
  let at: Record<string, unknown> = copy;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  at[keys.at(-1)!] = text;
  return copy;
}

/** Every free-text field of every write route, each with its sample. */
function freeTextCases() {
  return routes
    .filter((r) => r.method !== "GET")
    .flatMap((r) => freeTextFields(r.body).map((field) => ({ key: `${r.method} ${r.path}`, field })));
}

describe("the free-text guard on every free-text field of every write route", () => {
  it("knows the fields: notes, titles, follow-ups and reasons of visits, hazards, transitions, inspections", () => {
    const cases = freeTextCases().map((c) => `${c.key} ${c.field}`);
    expect(cases).toEqual(
      expect.arrayContaining([
        "POST /api/visits note",
        "POST /api/hazards title",
        "POST /api/hazards note",
        "POST /api/hazards/{id}/transitions note",
        "POST /api/venues/{id}/inspections note",
        "POST /api/venues/{id}/inspections follow_up",
        "POST /api/venues/{id}/inspections hazards.0.title",
        "POST /api/venues/{id}/inspections hazards.0.note",
      ]),
    );
    // A route added later with free text needs a sample here, or this fails.
    for (const c of freeTextCases()) expect(samples.has(c.key), c.key).toBe(true);
  });

  it("refuses ID, mobile and landline numbers in random text with 400 naming the field, and changes nothing", async () => {
    for (const { key, field } of freeTextCases()) {
      await fc.assert(
        fc.asyncProperty(around(residentIdentifier), async (text) => {
          const s = await samples.get(key)!();
          const before = await tableVersions(t.sql, EXCEPT);
          const res = await s.session.send("POST", s.path, withText(s.body, field, text));
          const what = `${key} ${field}=${JSON.stringify(text)}`;
          expect(res.status, what).toBe(400);
          const { error } = (await res.json()) as { error: { code: string; field: string; zh: string; en: string } };
          expect(error, what).toMatchObject({ code: "personal_data", field });
          expect(error.zh, what).toContain("不要填写居民姓名、电话、身份证号");
          expect(error.en, what).toContain("Do not enter residents' names, phone numbers or ID numbers");
          expect(await tableVersions(t.sql, EXCEPT), what).toEqual(before);
        }),
        { numRuns: 6, seed: 20261207 },
      );
    }
  }, 600_000);

  it("accepts near-misses: wrong check digits, grid codes, dates, household counts are stored as written", async () => {
    for (const { key, field } of freeTextCases()) {
      await fc.assert(
        fc.asyncProperty(fc.array(around(nearMiss), { minLength: 1, maxLength: 3 }), async (parts) => {
          const text = parts.join("；").slice(0, 100).trim();
          const s = await samples.get(key)!();
          const res = await s.session.send("POST", s.path, withText(s.body, field, text));
          const what = `${key} ${field}=${JSON.stringify(text)}`;
          const body = await res.text();
          expect(body, what).not.toContain("personal_data");
          if (s.writes) expect(res.status, `${what} ${body}`).toBeLessThan(300);
        }),
        { numRuns: 4, seed: 20261207 },
      );
    }
  }, 600_000);

  it("refuses the same in a visit import's CSV cells, naming the line and the cell, importing nothing", async () => {
    const [w] = await t.rows<{ worker_id: number; entrance_id: number; community: string }>(
      `select w.id as worker_id, e.id as entrance_id, w.community_code as community
       from worker w join worker_assignment wa on wa.worker_id = w.id
       join published_parcel pp on pp.grid_code = wa.grid_code
       join parcel pa on pa.id = pp.parcel_id join entrance e on e.id = pa.entrance_id
       where w.retired_on is null and w.started_on < current_date - 400 order by w.id desc, e.id limit 1`,
    );
    const session = await t.as(`secretary-${w!.community}`);
    const before = await tableVersions(t.sql, EXCEPT);
    const csv = [
      "worker_id,entrance_id,visited_on,note",
      `${w!.worker_id},${w!.entrance_id},${day(200)},入户走访 共3户`,
      `${w!.worker_id},${w!.entrance_id},${day(201)},"户主电话 138-0013-8000"`,
    ].join("\n");
    const res = await session.request("/api/visits/import", {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: csv,
    });
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as {
      error: { details: { report: { line: number; ok: boolean; errors: { field: string; code: string }[] }[] } };
    };
    expect(error.details.report[0]).toMatchObject({ line: 2, ok: true });
    expect(error.details.report[1]).toMatchObject({ line: 3, ok: false });
    expect(error.details.report[1]!.errors).toEqual([
      expect.objectContaining({ field: "note", code: "personal_data" }),
    ]);
    expect(await tableVersions(t.sql, EXCEPT)).toEqual(before);
  });
});
