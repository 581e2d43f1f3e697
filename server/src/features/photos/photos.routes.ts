import { createRoute } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { actorOf, principalOf } from "../../auth/session.ts";
import type { AppEnv } from "../../http/router.ts";
import { createRouter } from "../../http/router.ts";
import { routesFor } from "../../http/routes.ts";
import { errorJson, errorsOf, json } from "../../http/schemas.ts";
import { checkPhoto, photoTooLarge } from "./photos.image.ts";
import { addPhoto, findPhoto } from "./photos.queries.ts";
import { HazardPhotoQuery, MAX_PHOTO_BYTES, Photo, PhotoParam, photoBody } from "./photos.schemas.ts";

const uploadErrors = errorsOf({
  400: "Bad input (an empty body)",
  403: "The role may not record here",
  404: "No such hazard, move or inspection within reach",
  413: "Over 2 MB (photo_too_large)",
  415: "Not a JPEG, PNG or WebP image, or not what Content-Type says (photo_type)",
  422: "Already 3 photos on this report, move or inspection (too_many_photos)",
});
const tags = ["photos"];

const upload = routesFor(tags, uploadErrors);
const r = {
  hazard: upload("post /hazards/{id}/photos", {
    summary: "Attach a photo to a hazard's report, or with ?transition_id= to one of its moves (at most 3 each)",
    request: { params: PhotoParam, query: HazardPhotoQuery, body: photoBody },
    responses: { 201: json(Photo, "Stored") },
  }),
  inspection: upload("post /inspections/{id}/photos", {
    summary: "Attach a photo to a venue's inspection (at most 3)",
    request: { params: PhotoParam, body: photoBody },
    responses: { 201: json(Photo, "Stored") },
  }),
  one: createRoute({
    method: "get",
    path: "/photos/{id}",
    tags,
    summary: "A photo, for those who may see its hazard or venue (404 for anyone else)",
    request: { params: PhotoParam },
    responses: {
      200: {
        description: "The image",
        content: { "image/jpeg": { schema: {} }, "image/png": { schema: {} }, "image/webp": { schema: {} } },
      },
      304: { description: "Not modified" },
      401: errorJson("Not signed in"),
      404: errorJson("No such photo within reach"),
    },
  }),
};

/** Paths of photo uploads: their body is an image of up to 2 MB, not JSON of up to 1 MB. */
export const isPhotoUpload = (method: string, path: string) =>
  method === "POST" && /^\/api\/(hazards|inspections)\/[^/]+\/photos$/.test(path);

/** The body limit of photo uploads, checked before anything reads the body. */
export const photoBodyLimit: MiddlewareHandler<AppEnv> = bodyLimit({
  maxSize: MAX_PHOTO_BYTES,
  onError: () => {
    throw photoTooLarge();
  },
});

const bodyBytes = async (req: { arrayBuffer(): Promise<ArrayBuffer> }) => new Uint8Array(await req.arrayBuffer());

export const photosRoutes = createRouter()
  .openapi(r.hazard, async (c) => {
    const { id } = c.req.valid("param");
    const { transition_id } = c.req.valid("query");
    const data = await bodyBytes(c.req);
    const type = checkPhoto(c.req.header("content-type"), data);
    const target = { kind: "hazard" as const, id, transitionId: transition_id };
    return c.json(await addPhoto(c.get("db"), principalOf(c), actorOf(c), target, type, data), 201);
  })
  .openapi(r.inspection, async (c) => {
    const { id } = c.req.valid("param");
    const data = await bodyBytes(c.req);
    const type = checkPhoto(c.req.header("content-type"), data);
    const target = { kind: "inspection" as const, id };
    return c.json(await addPhoto(c.get("db"), principalOf(c), actorOf(c), target, type, data), 201);
  })
  .openapi(r.one, async (c) => {
    const photo = await findPhoto(c.get("db"), principalOf(c), c.req.valid("param").id);
    const etag = `"${photo.sha256}"`;
    // A photo never changes under its id; only who may see it can, so caches are private to the signed-in browser.
    const headers = {
      etag,
      "cache-control": "private, max-age=31536000, immutable",
      "x-content-type-options": "nosniff",
      "content-type": photo.content_type,
    };
    if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
    return c.body(new Uint8Array(photo.data), 200, headers);
  });
