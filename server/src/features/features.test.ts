import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * Features never import each other; app.ts composes them. What they share moves down into db/, http/ or auth/, or
 * is an engine beside them (rebalance/).
 */
const dir = path.dirname(fileURLToPath(import.meta.url));

describe("feature boundaries", () => {
  it("no feature imports another", () => {
    const found: string[] = [];
    for (const feature of fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory())) {
      for (const file of fs.readdirSync(path.join(dir, feature.name)).filter((f) => f.endsWith(".ts"))) {
        const text = fs.readFileSync(path.join(dir, feature.name, file), "utf8");
        for (const m of text.matchAll(/(?:from |import\()"\.\.\/([a-z-]+)\//g))
          found.push(`${feature.name}/${file} -> ${m[1]}`);
      }
    }
    expect(found).toEqual([]);
  });
});
