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
  it("never import each other: they meet only at the app level (app.tsx, screens/)", () => {
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

  it("are not imported by the layers under them (map/, ui/)", () => {
    const upward: string[] = [];
    for (const layer of ["map", "ui"]) {
      const dir = path.join(featuresDir, "..", layer);
      for (const file of fs.readdirSync(dir).filter((f) => /\.tsx?$/.test(f))) {
        for (const spec of importsOf(path.join(dir, file))) {
          const target = path.relative(featuresDir, path.resolve(dir, spec));
          if (spec.startsWith(".") && !target.startsWith("..")) upward.push(`${layer}/${file} → ${spec}`);
        }
      }
    }
    expect(upward).toEqual([]);
  });
});
