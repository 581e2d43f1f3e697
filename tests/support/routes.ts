/** What the suites that cover "every route" need from the OpenAPI document, so a route added later is covered too. */

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  format?: string;
  minimum?: number;
  $ref?: string;
  /** Set by the server's `freeText` (server/src/http/input.ts): notes and titles, where no resident data may go. */
  "x-free-text"?: boolean;
};

export type ParameterDoc = {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: JsonSchema;
};

export type OpenApiRoute = {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The path as the document writes it, with `{param}` placeholders. */
  path: string;
  parameters: ParameterDoc[];
  /** The JSON body's schema, its references resolved one level. */
  body: JsonSchema | undefined;
};

type AnyApp = { request(path: string, init?: RequestInit): Response | Promise<Response> };

type Operation = { parameters?: ParameterDoc[]; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } };

/** Every operation of the app's OpenAPI document. */
export async function openApiRoutes(app: AnyApp): Promise<OpenApiRoute[]> {
  const doc = await (await app.request("/api/openapi.json")).json();
  const resolve = (s: JsonSchema | undefined): JsonSchema | undefined =>
    s?.$ref ? doc.components.schemas[s.$ref.split("/").pop()!] : s;
  return Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([m]) => ["get", "post", "put", "patch", "delete"].includes(m))
      .map(([m, op]) => ({
        method: m.toUpperCase() as OpenApiRoute["method"],
        path,
        parameters: op.parameters ?? [],
        body: resolve(op.requestBody?.content?.["application/json"]?.schema),
      })),
  );
}

/** Sample values of path parameters by name, so the route answers something other than "not a valid id". */
const SAMPLE: Record<string, string> = { layer: "buildings", version: "v1", z: "14", x: "13000", y: "6000.pbf" };

/** The route's path with every placeholder filled: from `values` by name, else a sample, else "1". */
export function samplePath(path: string, values: Record<string, string> = {}): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? SAMPLE[name] ?? "1");
}

/** The text fields of a JSON body schema as dotted paths (`notes`, `items.title`), references resolved one level. */
export function textFields(schema: JsonSchema | undefined, prefix = ""): string[] {
  if (!schema) return [];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return [...new Set(alternatives.flatMap((s) => textFields(s, prefix)))];
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes("string") && !schema.enum) return prefix ? [prefix] : [];
  if (schema.properties) {
    return Object.entries(schema.properties).flatMap(([k, s]) => textFields(s, prefix ? `${prefix}.${k}` : k));
  }
  return [];
}

/** The free-text fields of a JSON body schema as dotted paths, an array's items as `.0` (`hazards.0.title`). */
export function freeTextFields(schema: JsonSchema | undefined, prefix = ""): string[] {
  if (!schema) return [];
  if (schema["x-free-text"]) return [prefix];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return [...new Set(alternatives.flatMap((s) => freeTextFields(s, prefix)))];
  if (schema.items) return freeTextFields(schema.items, `${prefix}.0`);
  return Object.entries(schema.properties ?? {}).flatMap(([k, s]) => freeTextFields(s, prefix ? `${prefix}.${k}` : k));
}
