import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../auth/session.ts";
import { errorBody, preferredLang, validationError } from "./errors.ts";

export type { AppEnv };

/** A feature's router: validation failures become one bilingual 400 shape everywhere. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const err = validationError(result.error, result.target);
        return c.json(errorBody(err, preferredLang(c.req.header("accept-language"))), 400);
      }
    },
  });
}
