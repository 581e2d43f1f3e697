import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { useTestSql } from "../../../test-support/test-app.ts";
import { LAYER_NAMES, TILE_LAYERS } from "./tiles.layers.ts";

/**
 * TILE_LAYERS is the one list of tile layers; everything else that names them is held to it: the database's
 * tile_layer rows and `<layer>_tile` functions, the MVT layers those functions write, the layers the tile triggers
 * bump, and the web's tile sources and source-layers.
 */

const webSrc = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../web/src");
const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();
const vectorLayerIds = (layer: keyof typeof TILE_LAYERS) => TILE_LAYERS[layer].vectorLayers.map((v) => v.id);

const t = useTestSql("tilelayers");

describe("the tile layers of TILE_LAYERS", () => {
  it("each have a version row and nothing else has", async () => {
    const rows = await t.sql.query<{ layer: string }>("select layer from tile_layer");
    expect(sorted(rows.rows.map((r) => r.layer))).toEqual(sorted(LAYER_NAMES));
  });

  it("each have their function `<layer>_tile`, taking scope arguments unless on the base map, and no other", async () => {
    const fns = await t.sql.query<{ name: string; args: number }>(
      `select proname as name, pronargs as args from pg_proc
       where pronamespace = 'public'::regnamespace and proname ~ '^[a-z]+_tile$'`,
    );
    expect(sorted(fns.rows.map((f) => f.name))).toEqual(sorted(LAYER_NAMES.map((l) => `${l}_tile`)));
    for (const f of fns.rows) {
      const layer = f.name.replace(/_tile$/, "") as keyof typeof TILE_LAYERS;
      expect(f.args, f.name).toBe(TILE_LAYERS[layer].scope === "basemap" ? 3 : 5);
    }
  });

  it("write the MVT layers TILE_LAYERS announces in their TileJSON", async () => {
    for (const layer of LAYER_NAMES) {
      const src = await t.sql.query<{ src: string }>(
        "select prosrc as src from pg_proc where proname = $1 and pronamespace = 'public'::regnamespace",
        [`${layer}_tile`],
      );
      const written = [...src.rows[0]!.src.matchAll(/ST_AsMVT\(\w+, '([a-z_]+)'/g)].map((m) => m[1]!);
      expect(sorted(written), layer).toEqual(sorted(vectorLayerIds(layer)));
    }
  });

  it("are bumped by the tile triggers, which name no other layer", async () => {
    const triggers = await t.sql.query<{ name: string; args: Buffer }>(
      `select t.tgname as name, t.tgargs as args from pg_trigger t join pg_proc p on p.oid = t.tgfoid
       where not t.tgisinternal and p.proname like 'tile\\_touch%'`,
    );
    expect(triggers.rows.length).toBeGreaterThan(0);
    const bumped = new Set<string>();
    for (const t of triggers.rows) {
      const layers = t.args.toString("utf8").split("\0")[0]!.split(",");
      expect(LAYER_NAMES, t.name).toEqual(expect.arrayContaining(layers));
      for (const l of layers) bumped.add(l);
    }
    expect(sorted(bumped)).toEqual(sorted(LAYER_NAMES));
  });

  it("are the tile sources the web draws, and its source-layers are theirs", () => {
    const sources = new Set<string>();
    const sourceLayers = new Set<string>();
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) {
          const text = fs.readFileSync(p, "utf8");
          for (const m of text.matchAll(/\b\w*[tT]ileSource\(\s*"([a-z_]+)"/g)) sources.add(m[1]!);
          for (const m of text.matchAll(/"source-layer":\s*"([a-z_]+)"/g)) sourceLayers.add(m[1]!);
        }
      }
    };
    walk(webSrc);
    expect(sorted(sources)).toEqual(sorted(LAYER_NAMES));
    const announced = LAYER_NAMES.flatMap(vectorLayerIds);
    expect(announced).toEqual(expect.arrayContaining([...sourceLayers]));
    expect(sourceLayers.size).toBeGreaterThan(0);
  });
});
