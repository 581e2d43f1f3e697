import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * Features never import each other; app.ts composes them. The exception is camera coverage, which a camera edit
 * runs to return the coverage it changed. Anything else that needs sharing moves down into db/, http/ or auth/,
 * or is an engine beside them (rebalance/).
 */
const ENGINES: Record<string, string[]> = {
  cameras: ["coverage"],
};

const dir = path.dirname(fileURLToPath(import.meta.url));

describe("feature boundaries", () => {
  it("no feature imports another, but for the declared engines", () => {
    const found: string[] = [];
    for (const feature of fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory())) {
      for (const file of fs.readdirSync(path.join(dir, feature.name)).filter((f) => f.endsWith(".ts"))) {
        const text = fs.readFileSync(path.join(dir, feature.name, file), "utf8");
        for (const m of text.matchAll(/from "\.\.\/([a-z-]+)\//g)) {
          const other = m[1]!;
          if (!(ENGINES[feature.name] ?? []).includes(other)) found.push(`${feature.name}/${file} -> ${other}`);
        }
      }
    }
    expect(found).toEqual([]);
  });
});
