import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The server's layers import downwards only: features/ over http/ over auth/ over db/, with `errors.ts` (the domain
 * errors every layer raises) beneath them all. http/ may import auth/ and db/; auth/ may import db/; db/ imports
 * neither. Test support (`test-*.ts`, which builds whole databases with the features' demo accounts) is no layer.
 */
const FORBIDDEN: Record<string, string[]> = {
  "errors.ts": ["db", "auth", "http", "features"],
  db: ["auth", "http", "features"],
  auth: ["http", "features"],
  http: ["features"],
};

const src = path.dirname(fileURLToPath(import.meta.url));

function sources(entry: string): string[] {
  const full = path.join(src, entry);
  if (!fs.statSync(full).isDirectory()) return [full];
  return fs
    .readdirSync(full, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !path.basename(f).startsWith("test-"))
    .map((f) => path.join(full, f));
}

/** The top-level entry of server/src (a folder or a file) each relative import of a file lands in. */
function importedLayers(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => {
    const target = path.relative(src, path.resolve(path.dirname(file), m[1]!));
    return target.split(path.sep)[0]!;
  });
}

describe("layers", () => {
  it("import only downwards", () => {
    const found: string[] = [];
    for (const [layer, forbidden] of Object.entries(FORBIDDEN)) {
      for (const file of sources(layer)) {
        for (const target of importedLayers(file)) {
          if (forbidden.includes(target)) found.push(`${path.relative(src, file)} -> ${target}/`);
        }
      }
    }
    expect(found).toEqual([]);
  });
});
