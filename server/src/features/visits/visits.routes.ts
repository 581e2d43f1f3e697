import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { forbidden, isAdmin, type Principal } from "../../auth/principal.ts";
import { actorOf, principalOf } from "../../auth/session.ts";
import type { Db } from "../../db/db.ts";
import { badRequest, DomainError, notFound } from "../../errors.ts";
import type { AppEnv } from "../../http/router.ts";
import { createRouter } from "../../http/router.ts";
import { routesFor } from "../../http/routes.ts";
import { day, ErrorSchema, json } from "../../http/schemas.ts";
import { parseCsv } from "./visits.csv.ts";
import {
  CreateVisit,
  type CreateVisitInput,
  ImportBody,
  ImportQuery,
  id,
  ListQuery,
  MAX_IMPORT_ROWS,
  note,
} from "./visits.input.ts";
import {
  type Candidate,
  checkVisits,
  insertVisits,
  listVisits,
  type Refusal,
  storedVisit,
  workersCommunity,
} from "./visits.queries.ts";

const errors = {
  400: json(ErrorSchema, "Bad input"),
  401: json(ErrorSchema, "Not signed in"),
  403: json(ErrorSchema, "Not a role that records visits"),
  404: json(ErrorSchema, "No such worker, entrance or building (or not in your scope)"),
  409: json(ErrorSchema, "Already recorded: the same worker, place and day"),
  422: json(
    ErrorSchema,
    "Refused: a future day, a worker not in post, a place of another community; an import with bad rows (details.report)",
  ),
} as const;

const Visit = z
  .object({
    id: z.number(),
    worker_id: z.number(),
    entrance_id: z.number().nullable(),
    building_id: z.number().nullable(),
    visited_on: z.string(),
    note: z.string().nullable(),
  })
  .openapi("Visit");

const RowReport = z.object({
  line: z.number(),
  ok: z.boolean(),
  errors: z.array(z.object({ field: z.string(), code: z.string(), zh: z.string(), en: z.string() })),
});
const ImportReport = z
  .object({
    dry_run: z.boolean(),
    imported: z.boolean(),
    rows: z.number(),
    accepted: z.number(),
    rejected: z.number(),
    report: z.array(RowReport),
  })
  .openapi("VisitImportReport");

const tags = ["visits"];
const route = routesFor(tags, errors);
const routes = {
  create: route("post /visits", {
    summary: "Record a visit to an entrance or a building (the field app's API; a worker account records as itself)",
    request: { body: { content: { "application/json": { schema: CreateVisit } }, required: true } },
    responses: { 201: json(Visit, "The visit") },
  }),
  import: route("post /visits/import", {
    summary: "Import visits from CSV, all or nothing, with a report per row of what was refused and why",
    description:
      "Send the file as `text/csv`, or as JSON `{ csv }`. Columns by header: worker_id (人员编号), entrance_id (单元编号) or " +
      "building_id (楼栋编号), visited_on (走访日期, YYYY-MM-DD), note (备注). Any refused row refuses the whole file " +
      "(422 with the report in error.details); `dry_run=true` only checks.",
    request: {
      query: ImportQuery,
      body: {
        content: {
          "application/json": { schema: ImportBody },
          "text/csv": { schema: z.string().openapi({ description: "The CSV file" }) },
        },
        required: false,
      },
    },
    responses: {
      200: json(ImportReport, "Dry run: the report, nothing imported"),
      201: json(ImportReport, "Every row imported"),
    },
  }),
  list: route("get /visits", {
    summary: "Recent visits, newest first (a secretary's community, a worker's own)",
    request: { query: ListQuery },
    responses: {
      200: json(
        z.array(
          Visit.extend({
            worker_name: z.string(),
            worker_role: z.string(),
            building_id: z.number(),
            building_name: z.string(),
            seq: z.number().nullable(),
          }),
        ),
        "Visits",
      ),
    },
  }),
};

/** Visits are recorded by admins, secretaries (for their community's workers) and workers (as themselves). */
function recorder(c: Context<AppEnv>) {
  const p = principalOf(c);
  if (!isAdmin(p) && !p.roles.includes("secretary") && !p.roles.includes("worker")) throw forbidden();
  return { p, actor: actorOf(c) };
}

/** The refusal a single request answers with: a 404 first, so that nothing about an unreachable place leaks. */
function refusalError(refusals: Refusal[]): DomainError {
  const r = refusals.find((x) => x.kind === "not_found") ?? refusals[0]!;
  return new DomainError(r.kind, r.code, r.zh, r.en, r.field);
}

/**
 * A repeated visit (same worker, place and day) answers 409 `duplicate` with the stored visit in
 * `details.visit`: the field app treats it as sent, since the visit it meant to record is there.
 */
async function withStoredVisit(db: Db, e: unknown, input: CreateVisitInput, p: Principal): Promise<unknown> {
  if (!(e instanceof DomainError) || e.code !== "duplicate") return e;
  const workerId = input.worker_id ?? p.workerIds[0];
  if (workerId === undefined) return e;
  const stored = await storedVisit(db, {
    worker_id: workerId,
    entrance_id: input.entrance_id ?? null,
    building_id: input.building_id ?? null,
    visited_on: input.visited_on,
    note: null,
  });
  return stored ? new DomainError(e.kind, e.code, e.zh, e.en, e.field, { visit: stored }) : e;
}

/** Header names, in English or Chinese, to the fields of a visit. */
const COLUMNS: Record<string, "worker_id" | "entrance_id" | "building_id" | "visited_on" | "note"> = {
  worker_id: "worker_id",
  人员编号: "worker_id",
  entrance_id: "entrance_id",
  单元编号: "entrance_id",
  building_id: "building_id",
  楼栋编号: "building_id",
  visited_on: "visited_on",
  走访日期: "visited_on",
  note: "note",
  备注: "note",
};

const rowSchema = z.object({
  worker_id: id.optional(),
  entrance_id: id.optional(),
  building_id: id.optional(),
  visited_on: day,
  note: note.optional(),
});

export const visitsRoutes = createRouter()
  .openapi(routes.create, async (c) => {
    const { p, actor } = recorder(c);
    const input = c.req.valid("json");
    const today = localToday();
    const [result] = await checkVisits(c.get("db"), p, [input], today);
    if (!result) throw badRequest("body", "输入无效", "invalid input");
    if (!result.ok) throw await withStoredVisit(c.get("db"), refusalError(result.refusals), input, p);
    const community = await workersCommunity(c.get("db"), [result.visit.worker_id]);
    const visitId = await insertVisits(c.get("db"), [result.visit], actor, {
      action: "visit_create",
      communityCode: community,
    }).then(
      ([id]) => id!,
      async (e: unknown) => {
        throw await withStoredVisit(c.get("db"), e, input, p);
      },
    );
    return c.json({ id: visitId, ...result.visit }, 201);
  })
  .openapi(routes.import, async (c) => {
    const { p, actor } = recorder(c);
    const { dry_run } = c.req.valid("query");
    const type = c.req.header("content-type") ?? "";
    const text = /^text\/csv/i.test(type) ? await c.req.text() : (c.req.valid("json") as { csv?: string }).csv;
    if (typeof text !== "string" || text.trim() === "") {
      throw badRequest("csv", "请上传 CSV 文件内容", "send the CSV file (text/csv, or JSON { csv })");
    }
    const parsed = parseCsv(text);
    if (!parsed.ok) {
      throw badRequest(
        "csv",
        `第 ${parsed.line} 行的引号没有闭合`,
        `unclosed quote in the row starting on line ${parsed.line}`,
      );
    }
    const [header, ...data] = parsed.rows;
    if (!header) throw badRequest("csv", "文件为空", "the file is empty");
    const fields = header.cells.map((h) => COLUMNS[h.trim().toLowerCase()] ?? COLUMNS[h.trim()]);
    const unknown = header.cells.filter((_, i) => !fields[i]);
    if (unknown.length) {
      throw badRequest(
        "csv",
        `不认识的列：${unknown.join("、")}（可用：人员编号、单元编号、楼栋编号、走访日期、备注）`,
        `unknown column(s): ${unknown.join(", ")} (known: worker_id, entrance_id, building_id, visited_on, note)`,
      );
    }
    if (new Set(fields).size !== fields.length) throw badRequest("csv", "列名重复", "a column appears twice");
    if (!fields.includes("visited_on") || !(fields.includes("entrance_id") || fields.includes("building_id"))) {
      throw badRequest(
        "csv",
        "缺少必需的列：visited_on，以及 entrance_id 或 building_id",
        "required columns: visited_on, and entrance_id or building_id",
      );
    }
    if (data.length === 0) throw badRequest("csv", "文件中没有数据行", "the file has no data rows");
    if (data.length > MAX_IMPORT_ROWS) {
      throw badRequest("csv", `一次最多导入 ${MAX_IMPORT_ROWS} 行`, `at most ${MAX_IMPORT_ROWS} rows per import`);
    }

    type RowErrors = { field: string; code: string; zh: string; en: string }[];
    const report: { line: number; ok: boolean; errors: RowErrors }[] = [];
    const candidates: { index: number; candidate: Candidate }[] = [];
    for (const row of data) {
      const errs: RowErrors = [];
      if (row.cells.length !== fields.length) {
        errs.push({
          field: "row",
          code: "columns",
          zh: `应有 ${fields.length} 列，实有 ${row.cells.length} 列`,
          en: `expected ${fields.length} cells, found ${row.cells.length}`,
        });
      } else {
        const raw: Record<string, string> = {};
        fields.forEach((f, i) => {
          const v = row.cells[i]?.trim() ?? "";
          if (f && v !== "") raw[f] = v;
        });
        if ((raw.entrance_id === undefined) === (raw.building_id === undefined)) {
          errs.push({
            field: "entrance_id",
            code: "place_required",
            zh: "请填写单元编号或楼栋编号之一",
            en: "give either entrance_id or building_id",
          });
        }
        const v = rowSchema.safeParse(raw);
        if (!v.success) {
          for (const issue of v.error.issues) {
            const [zh, en] = issue.message.includes("||")
              ? (issue.message.split("||") as [string, string])
              : ["输入无效", issue.message];
            const code =
              issue.code === "custom" && typeof issue.params?.code === "string" ? issue.params.code : "invalid";
            errs.push({ field: issue.path.map(String).join(".") || "row", code, zh, en });
          }
        } else if (errs.length === 0) {
          candidates.push({ index: report.length, candidate: v.data });
        }
      }
      report.push({ line: row.line, ok: errs.length === 0, errors: errs });
    }
    const checked = await checkVisits(
      c.get("db"),
      p,
      candidates.map((x) => x.candidate),
      localToday(),
    );
    const accepted = checked.flatMap((r) => (r.ok ? [r.visit] : []));
    checked.forEach((r, k) => {
      const entry = report[candidates[k]!.index]!;
      if (!r.ok) {
        entry.ok = false;
        entry.errors.push(...r.refusals.map(({ kind: _k, ...e }) => e));
      }
    });
    const rejected = report.filter((r) => !r.ok).length;
    const summary = { dry_run, rows: report.length, accepted: report.length - rejected, rejected, report };
    if (rejected > 0) {
      throw new DomainError(
        "precondition",
        "import_rejected",
        `${rejected} 行有误，未导入任何记录`,
        `${rejected} row(s) refused; nothing was imported`,
        "csv",
        { ...summary, imported: false },
      );
    }
    if (dry_run) return c.json({ ...summary, imported: false }, 200);
    await insertVisits(c.get("db"), accepted, actor, {
      action: "visit_import",
      communityCode: await workersCommunity(
        c.get("db"),
        accepted.map((v) => v.worker_id),
      ),
    });
    return c.json({ ...summary, imported: true }, 201);
  })
  .openapi(routes.list, async (c) => {
    const p = principalOf(c);
    const q = c.req.valid("query");
    let scope: { communities?: readonly string[]; workerIds?: readonly number[] };
    if (isAdmin(p)) scope = {};
    else if (p.communities.length) scope = { communities: p.communities };
    else if (p.workerIds.length) scope = { workerIds: p.workerIds };
    else throw forbidden();
    if (q.community && scope.communities && !scope.communities.includes(q.community)) {
      throw notFound(`没有编码为 ${q.community} 的社区`, `no community with code ${q.community}`);
    }
    return c.json(await listVisits(c.get("db"), p, scope, q), 200);
  });

/** The calendar day in Tongliao: no visit is dated after it. */
function localToday(now = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(now);
}
