import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const featuresDir = path.dirname(fileURLToPath(import.meta.url));

/** Every `from "…"` specifier of a source file. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  return [...text.matchAll(/from\s+"([^"]+)"/g)].map((m) => m[1] as string);
}

describe("web features", () => {
  it("never import each other: they meet only in app.tsx", () => {
    const crossings: string[] = [];
    for (const feature of fs.readdirSync(featuresDir, { withFileTypes: true }).filter((e) => e.isDirectory())) {
      const dir = path.join(featuresDir, feature.name);
      for (const file of fs.readdirSync(dir).filter((f) => /\.tsx?$/.test(f))) {
        for (const spec of importsOf(path.join(dir, file))) {
          if (!spec.startsWith(".")) continue;
          const target = path.relative(featuresDir, path.resolve(dir, spec));
          const [top] = target.split(path.sep);
          if (!target.startsWith("..") && top !== feature.name) crossings.push(`${feature.name}/${file} → ${spec}`);
        }
      }
    }
    expect(crossings).toEqual([]);
  });
});
