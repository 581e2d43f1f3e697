import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { importOsm } from "@gridatlas/geodata/osm/import.ts";
import { importTerritory } from "@gridatlas/geodata/territory/import.ts";
import { writeOfficeLayers } from "@gridatlas/geodata/territory/testdata.ts";
import { proposeWithRebalancer } from "@gridatlas/server/features/imports/imports.propose.ts";
import { readHouseholdsSheet } from "@gridatlas/server/features/imports/imports.sheet.ts";
import { machine, scratchDatabase } from "./support.ts";

/**
 * Territory import (issue 18): `import-territory` of an office's layers made from the Monaco extract, timed next
 * to `import-osm` of the same extract in the same run, on a scratch copy of the demo. Three runs: OSM Monaco (the
 * baseline), the office layers of one Monaco, and of four Monacos side by side (about 5,000 buildings: the
 * target is under 60 s). Run: `npm run bench -- territory`.
 */
const MONACO = path.resolve(import.meta.dirname, "../geodata/sources/monaco/monaco-2026-07-10.osm.pbf");
const propose = proposeWithRebalancer(false);

const database = await scratchDatabase("territorybench");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gridatlas-territory-bench-"));
const extra: { drop(): Promise<void> }[] = [];
try {
  const results: { run: string; buildings: number; parcels: number; grids: number; s: number; steps: string }[] = [];
  const timed = async (
    run: string,
    f: (log: (m: string) => void) => Promise<{ buildings: number; parcels: number; grids: number }>,
  ) => {
    const steps: string[] = [];
    const t0 = performance.now();
    const s = await f((m) => {
      const step = /^(\S.*) \((\d+) ms\)$/.exec(m);
      if (step) steps.push(`${step[1]} ${(Number(step[2]) / 1000).toFixed(1)}`);
    });
    results.push({ run, ...s, s: (performance.now() - t0) / 1000, steps: steps.join(", ") });
  };

  await timed("import-osm, Monaco (baseline)", (log) =>
    importOsm(database.url, { file: MONACO, subdistrictCode: "990000001" }, { proposePlan: propose, log }),
  );
  for (const copies of [1, 4]) {
    const layers = await writeOfficeLayers(path.join(tmp, `x${copies}`), { srid: 4550, copies });
    // The layers carry their community codes, so each run gets a scratch database of its own.
    const db = copies === 1 ? database : await scratchDatabase("territorybench4");
    if (db !== database) extra.push(db);
    await timed(
      `import-territory, ${copies} × Monaco as office layers (${layers.counts.buildings} footprints)`,
      async (log) =>
        importTerritory(
          db.url,
          { ...layers, households: await readHouseholdsSheet(layers.households) },
          { proposePlan: propose, log },
        ),
    );
  }

  console.log(
    `Territory import (issue 18) — ${machine()}, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}`,
  );
  console.log("| run | buildings | parcels | grids | seconds | steps (s) |\n|---|---:|---:|---:|---:|---|");
  for (const r of results) {
    console.log(`| ${r.run} | ${r.buildings} | ${r.parcels} | ${r.grids} | ${r.s.toFixed(1)} | ${r.steps} |`);
  }
  const big = results.at(-1)!;
  console.log(
    `${big.buildings} buildings in ${big.s.toFixed(1)} s: ${big.s < 60 ? "under" : "OVER"} the 60 s target; ` +
      `one Monaco: ${(results[1]!.s / results[0]!.s).toFixed(2)}× the OpenStreetMap import of the same area`,
  );
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
  await database.drop();
  for (const db of extra) await db.drop();
}
