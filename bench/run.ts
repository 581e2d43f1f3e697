import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * `npm run bench [-- name …]`: runs the named benchmarks (bench/<name>.ts), or all of them, one after the other
 * so that they do not compete for the two cores.
 */
const dir = path.dirname(fileURLToPath(import.meta.url));
const all = fs
  .readdirSync(dir)
  .filter(
    (f) =>
      f.endsWith(".ts") &&
      !["run.ts", "support.ts"].includes(f) &&
      !f.includes("." + "metis") &&
      f.split(".").length === 2,
  )
  .map((f) => f.replace(/\.ts$/, ""));
const names = process.argv.slice(2).length ? process.argv.slice(2) : all;
let failed = 0;
for (const name of names) {
  if (!all.includes(name)) {
    console.error(`no benchmark ${name}; there are: ${all.join(", ")}`);
    process.exit(2);
  }
  console.log(`\n## ${name}\n`);
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(dir, `${name}.ts`)], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
