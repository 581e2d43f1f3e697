import { createRoute, type RouteConfig } from "@hono/zod-openapi";

type Method = RouteConfig["method"];
type Responses = RouteConfig["responses"];
/** What a route says of itself; its method, path, tags and error answers come from `routesFor`. */
type RouteSpec = Omit<RouteConfig, "method" | "path" | "tags">;

/**
 * The route declarations of one feature. Its OpenAPI tags and error answers are said once, here, and each route
 * names its method and path in one string, as the OpenAPI document lists them:
 * `route("patch /workers/{id}", { summary, request, responses: { 200: json(Worker, "The worker") } })` declares
 * what `createRoute` would with the feature's tags and with the error answers after the route's own responses.
 */
export function routesFor<const E extends Responses>(tags: string[], errors: E) {
  return <const M extends Method, const P extends string, const S extends RouteSpec>(
    endpoint: `${M} ${P}`,
    spec: S,
  ) => {
    const space = endpoint.indexOf(" ");
    const method = endpoint.slice(0, space) as M;
    const path = endpoint.slice(space + 1) as P;
    const config = { method, path, tags, ...spec, responses: { ...spec.responses, ...errors } };
    return createRoute(
      config as Omit<S, "responses"> & { method: M; path: P; tags: string[]; responses: S["responses"] & E },
    );
  };
}
