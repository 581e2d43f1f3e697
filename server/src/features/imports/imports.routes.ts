import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { requireRole } from "../../auth/principal.ts";
import { clientIp, principalOf } from "../../auth/session.ts";
import { notFound } from "../../http/errors.ts";
import type { AppEnv } from "../../http/router.ts";
import { createRouter } from "../../http/router.ts";
import { ErrorSchema } from "../../http/schemas.ts";
import { appendChunk, createUpload, findUpload, uploadView } from "./imports.files.ts";
import { CreateUpload, ImportJobView, OsmImportRequest, Upload, UploadChunk, UploadId } from "./imports.input.ts";
import { type Actor, findImportJob, jobView } from "./imports.jobs.ts";
import { startOsmImport } from "./imports.osm.ts";

const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const err = (d: string) => json(ErrorSchema, d);
const errors = {
  400: err("Bad input"),
  401: err("Not signed in"),
  403: err("Not an admin: imports are for admins"),
  404: err("No such upload or import job"),
  409: err("Conflict: wrong chunk offset, another import running, subdistrict exists"),
  422: err("Refused: upload incomplete"),
} as const;
const body = <T extends z.ZodTypeAny>(schema: T) => ({
  body: { content: { "application/json": { schema } }, required: true },
});
const tags = ["imports"];

const ImportRequest = z.discriminatedUnion("kind", [OsmImportRequest]).openapi("ImportRequest");

const r = {
  createUpload: createRoute({
    method: "post",
    path: "/imports/files",
    tags,
    summary: "Start uploading a file for an import; send its bytes with PUT in base64 chunks of chunk_bytes",
    request: body(CreateUpload),
    responses: { 201: json(Upload, "The upload, empty"), ...errors },
  }),
  chunk: createRoute({
    method: "put",
    path: "/imports/files/{id}",
    tags,
    summary: "Append the next chunk (offset = received_bytes); a 409 says where to resume",
    request: { params: z.object({ id: UploadId }), ...body(UploadChunk) },
    responses: { 200: json(Upload, "The upload so far"), ...errors },
  }),
  start: createRoute({
    method: "post",
    path: "/imports",
    tags,
    summary: "Start an import of uploaded files as a job (kind osm: an OpenStreetMap extract); poll GET /imports/{id}",
    request: body(ImportRequest),
    responses: { 202: json(ImportJobView, "Started"), ...errors },
  }),
  job: createRoute({
    method: "get",
    path: "/imports/{id}",
    tags,
    summary: "Progress of an import, its log, then its summary or its error (the database unchanged)",
    request: { params: z.object({ id: z.uuid() }) },
    responses: { 200: json(ImportJobView, "The job"), ...errors },
  }),
};

/** Imports are for admins: they create subdistricts, territory and plans. */
function admin(c: Context<AppEnv>): Actor {
  const p = principalOf(c);
  requireRole(p, "admin");
  return { accountId: p.accountId, username: p.username, ip: clientIp(c) };
}

export const importsRoutes = createRouter()
  .openapi(r.createUpload, async (c) => {
    const actor = admin(c);
    const { name, size_bytes } = c.req.valid("json");
    return c.json(uploadView(createUpload(actor.accountId, name, size_bytes)), 201);
  })
  .openapi(r.chunk, async (c) => {
    const actor = admin(c);
    const { id } = c.req.valid("param");
    if (findUpload(id).owner !== actor.accountId) throw notFound("没有这个上传文件", "no such upload");
    const { offset, data } = c.req.valid("json");
    return c.json(uploadView(appendChunk(id, offset, data)), 200);
  })
  .openapi(r.start, async (c) => {
    const actor = admin(c);
    const req = c.req.valid("json");
    const job = await startOsmImport(c.get("db"), req, actor);
    return c.json(jobView(job), 202);
  })
  .openapi(r.job, async (c) => {
    admin(c);
    return c.json(jobView(findImportJob(c.req.valid("param").id)), 200);
  });
