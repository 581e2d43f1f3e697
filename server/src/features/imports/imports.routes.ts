import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { requireRole } from "../../auth/principal.ts";
import { actorOf, principalOf } from "../../auth/session.ts";
import type { Actor } from "../../db/audit.ts";
import { notFound } from "../../errors.ts";
import type { AppEnv } from "../../http/router.ts";
import { createRouter } from "../../http/router.ts";
import { errorsOf, jsonBody } from "../../http/schemas.ts";
import { appendChunk, createUpload, findUpload, uploadView } from "./imports.files.ts";
import {
  CreateUpload,
  ImportJobView,
  LayerImportRequest,
  OsmImportRequest,
  PlanImportRequest,
  PreviewRequest,
  TerritoryImportRequest,
  TerritoryPreviewRequest,
  Upload,
  UploadChunk,
  UploadId,
} from "./imports.input.ts";
import { findImportJob, jobView } from "./imports.jobs.ts";
import { detectOffset, importLayer, readUpload } from "./imports.layers.ts";
import { startOsmImport } from "./imports.osm.ts";
import { importPlan } from "./imports.plan.ts";
import { previewTerritory, startTerritoryImport } from "./imports.territory.ts";

const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const errors = errorsOf({
  403: "Not an admin: imports are for admins",
  404: "No such upload or import job",
  409: "Conflict: wrong chunk offset, another import running, subdistrict exists",
  422: "Refused: upload incomplete",
});
const tags = ["imports"];

const ImportRequest = z.discriminatedUnion("kind", [OsmImportRequest, TerritoryImportRequest]).openapi("ImportRequest");

const r = {
  createUpload: createRoute({
    method: "post",
    path: "/imports/files",
    tags,
    summary: "Start uploading a file for an import; send its bytes with PUT in base64 chunks of chunk_bytes",
    request: jsonBody(CreateUpload),
    responses: { 201: json(Upload, "The upload, empty"), ...errors },
  }),
  chunk: createRoute({
    method: "put",
    path: "/imports/files/{id}",
    tags,
    summary: "Append the next chunk (offset = received_bytes); a 409 says where to resume",
    request: { params: z.object({ id: UploadId }), ...jsonBody(UploadChunk) },
    responses: { 200: json(Upload, "The upload so far"), ...errors },
  }),
  start: createRoute({
    method: "post",
    path: "/imports",
    tags,
    summary:
      "Start an import of uploaded files as a job (kind osm: an OpenStreetMap extract; kind territory: the office's own layers); poll GET /imports/{id}",
    request: jsonBody(ImportRequest),
    responses: { 202: json(ImportJobView, "Started"), ...errors },
  }),
  preview: createRoute({
    method: "post",
    path: "/imports/preview",
    tags,
    summary:
      "Read an uploaded GIS file (GeoJSON, CSV, zipped Shapefile, GeoPackage): layers, fields, the CRS declared or guessed, a warning when lng/lat look shifted like GCJ-02/BD-09, and features in WGS84 for the map",
    request: jsonBody(PreviewRequest),
    responses: {
      200: json(
        z.object({
          format: z.string(),
          layers: z.array(z.object({ name: z.string(), geometry_type: z.string(), feature_count: z.number() })),
          layer: z.string(),
          fields: z.array(z.object({ name: z.string(), type: z.string() })),
          crs: z.unknown(),
          encoding: z.string().nullable(),
          offset: z.unknown(),
          total: z.number(),
          features: z.unknown(),
        }),
        "The preview",
      ),
      ...errors,
    },
  }),
  territoryPreview: createRoute({
    method: "post",
    path: "/imports/territory/preview",
    tags,
    summary:
      "Read and check the layers of a territory import uploaded so far, writing nothing: each layer's features in WGS84 for the map, its CRS (declared or guessed), encoding and matched fields, and every problem by layer, row and field",
    request: jsonBody(TerritoryPreviewRequest),
    responses: {
      200: json(
        z.object({
          layers: z.record(z.string(), z.unknown()),
          households: z.object({ file: z.string(), rows: z.number() }).nullable(),
          problems: z.array(
            z.object({
              layer: z.string(),
              row: z.number().nullable(),
              field: z.string().nullable(),
              zh: z.string(),
              en: z.string(),
              geometry: z.unknown().optional(),
            }),
          ),
          complete: z.boolean(),
        }),
        "The layers as read, and what is wrong with them",
      ),
      ...errors,
    },
  }),
  layer: createRoute({
    method: "post",
    path: "/imports/layers",
    tags,
    summary:
      "Import venues, hazards, cameras or buildings from an uploaded file with a field mapping: every row valid and all written in one transaction, or a 422 whose details list each row's problems and nothing written",
    request: jsonBody(LayerImportRequest),
    responses: {
      200: json(z.object({ imported: z.number(), report: z.unknown() }), "Imported (or checked)"),
      ...errors,
    },
  }),
  plan: createRoute({
    method: "post",
    path: "/imports/plans",
    tags,
    summary:
      "Turn hand-drawn grids into a draft plan: each parcel to the grid covering most of it; the report lists overlaps, gaps, split buildings and compounds, with their geometry",
    request: jsonBody(PlanImportRequest),
    responses: {
      201: json(
        z.object({
          plan_id: z.number().nullable(),
          grids: z.number(),
          parcels: z.number(),
          report: z.unknown(),
          geometry: z.unknown(),
          crs: z.unknown(),
        }),
        "The draft plan and the report",
      ),
      ...errors,
    },
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
  return actorOf(c);
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
    const job =
      req.kind === "osm"
        ? await startOsmImport(c.get("db"), req, actor)
        : await startTerritoryImport(c.get("db"), req, actor);
    return c.json(jobView(job), 202);
  })
  .openapi(r.preview, async (c) => {
    const actor = admin(c);
    const req = c.req.valid("json");
    const db = c.get("db");
    const read = await readUpload(db, req, actor);
    const lnglat = read.crs.crs === "EPSG:4326" || read.crs.crs === "EPSG:4490";
    return c.json(
      {
        format: read.format,
        layers: read.layers.map((l) => ({
          name: l.name,
          geometry_type: l.geometryType,
          feature_count: l.featureCount,
        })),
        layer: read.layer.name,
        fields: read.layer.fields,
        crs: read.crs,
        encoding: read.encoding,
        offset: lnglat ? await detectOffset(db, read.subdistrict, read.features) : null,
        total: read.features.length,
        features: {
          type: "FeatureCollection",
          features: read.features
            .slice(0, req.limit ?? 500)
            .map((f) => ({ type: "Feature", id: f.row, geometry: f.geometry, properties: f.properties })),
        },
      },
      200,
    );
  })
  .openapi(r.territoryPreview, async (c) => {
    const actor = admin(c);
    return c.json(await previewTerritory(c.req.valid("json"), actor), 200);
  })
  .openapi(r.layer, async (c) => {
    const actor = admin(c);
    return c.json(await importLayer(c.get("db"), c.req.valid("json"), actor), 200);
  })
  .openapi(r.plan, async (c) => {
    const actor = admin(c);
    return c.json(await importPlan(c.get("db"), c.req.valid("json"), actor), 201);
  })
  .openapi(r.job, async (c) => {
    admin(c);
    return c.json(jobView(findImportJob(c.req.valid("param").id)), 200);
  });
