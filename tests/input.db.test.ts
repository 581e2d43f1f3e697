import { tableVersions } from "@gridatlas/server/db/checksum.ts";
import { signIn, type TestSession } from "@gridatlas/server/test-support/test-session.ts";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestApp } from "../server/test-support/test-app.ts";
import { type JsonSchema, type OpenApiRoute, openApiRoutes, samplePath, textFields } from "./support/routes.ts";

/**
 * Issue 16, "no 500 from input": every text field of every write route of the OpenAPI document gets full-Unicode
 * strings and strings with lone UTF-16 surrogates. Never a 5xx; a lone surrogate is refused with 400 naming the
 * field; a refused request changes nothing. The same rule holds for query strings and CSV cells.
 */

const t = useTestApp("input");
let admin: TestSession;
let routes: OpenApiRoute[];

// Sessions and the audit trail of refusals are not "the data"; signing in counts failures on the account.
const EXCEPT = ["session", "audit_event", "account", "sign_in_failure"];

beforeAll(async () => {
  admin = await signIn(t.app, "admin");
  routes = await openApiRoutes(t.app);
});

/** A body the schema would nearly accept: required properties with plain values, so the text field is reached. */
function plainBody(schema: JsonSchema | undefined): unknown {
  if (!schema) return {};
  const alt = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (alt) return plainBody(alt);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (schema.enum) return schema.enum[0];
  if (type === "string") return schema.format === "date" ? "2026-12-01" : "测试";
  if (type === "number" || type === "integer") return schema.minimum ?? 1;
  if (type === "boolean") return false;
  if (type === "array") return [];
  if (schema.properties) {
    return Object.fromEntries((schema.required ?? []).map((k) => [k, plainBody(schema.properties![k])]));
  }
  return {};
}

function withField(body: unknown, field: string, value: string): unknown {
  const copy = structuredClone(body ?? {}) as Record<string, unknown>;
  const keys = field.split(".");
  let at = copy;
  for (const k of keys.slice(0, -1)) {
    if (typeof at[k] !== "object" || at[k] === null || Array.isArray(at[k])) at[k] = {};
    at = at[k] as Record<string, unknown>;
  }
  at[keys.at(-1)!] = value;
  return copy;
}

const LONE = ["\uD800", "\uDBFF", "\uDC00", "\uDFFF"];
const loneSurrogate = fc
  .tuple(fc.string({ unit: "binary", maxLength: 8 }), fc.constantFrom(...LONE), fc.string({ maxLength: 8 }))
  .map(([a, s, b]) => `${a}${s}${b}`);
const fullUnicode = fc.string({ unit: "binary", minLength: 1, maxLength: 40 });

describe("text input at the edge", () => {
  it("every text field of every write route: no 5xx, lone surrogates refused naming the field, nothing changed", async () => {
    const writes = routes.filter(
      (r) => r.method !== "GET" && !(r.path.startsWith("/api/session") && r.method === "DELETE"),
    );
    const fields = writes.flatMap((r) => textFields(r.body).map((field) => ({ route: r, field })));
    expect(fields.length).toBeGreaterThan(20);
    for (const { route, field } of fields) {
      const path = samplePath(route.path);
      const base = plainBody(route.body);
      // The state a refusal must leave as it found; taken again only after a request that was accepted.
      let before = await tableVersions(t.sql, EXCEPT);
      await fc.assert(
        fc.asyncProperty(fc.oneof(loneSurrogate, fullUnicode), async (text) => {
          const lone = /[\uD800-\uDFFF]/.test(text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ""));
          const res = await admin.send(route.method, path, withField(base, field, text));
          const what = `${route.method} ${path} ${field}=${JSON.stringify(text)}`;
          expect(res.status, what).toBeLessThan(500);
          const json = (await res.json().catch(() => null)) as { error?: { field?: string } } | null;
          if (lone) {
            expect(res.status, what).toBe(400);
            expect(json?.error?.field, what).toBe(field);
          }
          if (res.status >= 400) expect(await tableVersions(t.sql, EXCEPT), what).toEqual(before);
          else before = await tableVersions(t.sql, EXCEPT);
        }),
        { numRuns: 4, seed: 20261207 },
      );
    }
  }, 900_000);

  it("a lone surrogate in a query string (as its CESU-8 bytes) is a 400 naming the parameter", async () => {
    const withQuery = routes.filter((r) => r.method === "GET" && r.parameters.some((p) => p.in === "query"));
    expect(withQuery.length).toBeGreaterThan(5);
    for (const route of withQuery) {
      for (const param of route.parameters.filter((p) => p.in === "query")) {
        const url = `${samplePath(route.path)}?${param.name}=a%ED%A0%80b`;
        const res = await admin.request(url);
        expect(res.status, url).toBe(400);
        expect((await res.json()).error.field, url).toBe(param.name);
      }
    }
    const nul = await admin.request("/api/venues?q=%00");
    expect(nul.status).toBe(400);
    expect((await nul.json()).error.field).toBe("q");
  });

  it("CSV cells: a visit import with a lone surrogate is refused naming the cell, never stored as U+FFFD", async () => {
    const before = await tableVersions(t.sql, EXCEPT);
    const header = "worker_id,entrance_id,visited_on,note\n";
    const good = Buffer.from(`${header}1,1,2026-12-01,走访`, "utf8");
    const bad = Buffer.concat([good, Buffer.from([0xed, 0xa0, 0x80])]);
    const csv = await admin.request("/api/visits/import?dry_run=false", {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: bad,
    });
    expect(csv.status).toBe(400);
    expect((await csv.json()).error.field).toBe("csv.2.note");
    const json = await admin.send("POST", "/api/visits/import", { csv: `${header}1,1,2026-12-01,走访\uD800` });
    expect(json.status).toBe(400);
    expect((await json.json()).error.field).toBe("csv");
    expect(await tableVersions(t.sql, EXCEPT)).toEqual(before);
  });
});
