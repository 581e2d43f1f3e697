import { z } from "@hono/zod-openapi";
import { bi } from "../../http/errors.ts";

/** What the phone sends: the image as the request body, its type in Content-Type. */
export const PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;
export type PhotoType = (typeof PHOTO_TYPES)[number];
/** After the phone's resizing (about 1,600 px on the long side) a photo is a few hundred kB; 2 MB is the ceiling. */
export const MAX_PHOTO_BYTES = 2 * 1024 * 1024;
/** Photos per hazard report, per move of a hazard and per inspection. */
export const MAX_PHOTOS = 3;

const id = z.coerce
  .number()
  .int(bi("应为整数", "an integer"))
  .positive(bi("应为正整数", "a positive integer"))
  .max(2_000_000_000, bi("编号过大", "the id is too large"));

export const PhotoParam = z.object({ id });
export const HazardPhotoQuery = z.object({
  transition_id: id.optional().openapi({
    type: "integer",
    description: "Attach the photo to this move of the hazard (e.g. the photo of the fix) rather than to the report",
  }),
});

export const Photo = z
  .object({
    id: z.number(),
    url: z.string().openapi({ example: "/api/photos/17" }),
    content_type: z.enum(PHOTO_TYPES),
    bytes: z.number(),
  })
  .openapi("Photo");

export const photoBody = {
  content: Object.fromEntries(
    PHOTO_TYPES.map((t) => [t, { schema: z.string().openapi({ type: "string", format: "binary" }) }]),
  ),
  required: true,
  description: "The image itself (JPEG, PNG or WebP, at most 2 MB), metadata already stripped by the phone",
};
