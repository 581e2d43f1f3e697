import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readGisFile } from "./read.ts";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gridatlas-read-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A zipped Shapefile of one point named 新城社区, its DBF in `encoding`, with or without its .cpg. */
function shapefile(name: string, encoding: "UTF-8" | "CP936", withCpg: boolean): string {
  const src = path.join(tmp, `${name}.geojson`);
  fs.writeFileSync(
    src,
    JSON.stringify({
      type: "FeatureCollection",
      features: [
        { type: "Feature", properties: { 名称: "新城社区" }, geometry: { type: "Point", coordinates: [122.25, 43.6] } },
      ],
    }),
  );
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  spawnSync("ogr2ogr", ["-f", "ESRI Shapefile", path.join(dir, "layer.shp"), src, "-lco", `ENCODING=${encoding}`]);
  if (!withCpg) fs.rmSync(path.join(dir, "layer.cpg"));
  const zip = path.join(tmp, `${name}.zip`);
  // zip's default extra fields follow each name in the central directory, as in most zips people make.
  spawnSync("zip", ["-q", "-j", zip, ...fs.readdirSync(dir).map((f) => path.join(dir, f))]);
  return zip;
}

describe("the encoding of a zipped Shapefile", () => {
  it("follows the .cpg when the zip holds one (UTF-8 here), not the GBK guess", async () => {
    const read = await readGisFile(shapefile("utf8", "UTF-8", true), { nearLng: 122 });
    expect(read.encoding).toBe("from .cpg");
    expect(read.features[0]!.properties).toEqual({ 名称: "新城社区" });
  });

  it("takes GBK when there is no .cpg", async () => {
    const read = await readGisFile(shapefile("gbk", "CP936", false), { nearLng: 122 });
    expect(read.encoding).toBe("GBK");
    expect(read.features[0]!.properties).toEqual({ 名称: "新城社区" });
  });
});
