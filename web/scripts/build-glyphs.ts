import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import TinySDF from "@mapbox/tiny-sdf";
import { createCanvas, GlobalFonts } from "@napi-rs/canvas";
import Pbf from "pbf";
import { GLYPH_FONTSTACK } from "../src/map/glyphs.ts";

/**
 * Builds the SDF glyph PBFs that MapLibre fetches for the digits, Latin letters and symbols of our map labels.
 * CJK is drawn in the browser (`localIdeographFontFamily`), so only the non-CJK ranges our labels use are made.
 * Runs before `vite build`; the files land in web/public/glyphs/<fontstack>/<start>-<end>.pbf (gitignored).
 */

const FONT_PATH = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
const FAMILY_ALIAS = "GridAtlasGlyphs";

/** Latin-1, Latin Extended-A/B, general punctuation, letterlike symbols, geometric shapes (▲▼), dingbats (✓). */
const RANGE_STARTS = [0, 256, 8192, 8448, 9472, 9984];

/** MapLibre's glyph PBF convention: 24 px em, a 3 px border, distances over 8 px, the edge at 3/4 of the byte range. */
const SDF = { fontSize: 24, buffer: 3, radius: 8, cutoff: 0.25 } as const;

/**
 * MapLibre draws its local CJK glyphs with their top moved by 27.5 px (its `topAdjustment`); shifting ours by
 * the same keeps digits on the same baseline as the Chinese characters beside them.
 */
const TOP_ADJUSTMENT = 27.5;

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outDir = path.join(webDir, "public", "glyphs", GLYPH_FONTSTACK);
const scriptPath = fileURLToPath(import.meta.url);

/** TinySDF draws on an OffscreenCanvas or a DOM canvas; in Node it gets a Skia canvas instead. */
class NodeTinySDF extends TinySDF {
  _createCanvas(size: number) {
    return createCanvas(size, size);
  }
}

type Glyph = {
  id: number;
  bitmap: Uint8Array;
  width: number;
  height: number;
  left: number;
  top: number;
  advance: number;
};

/** Controls and unassigned code points have no shape worth sending. */
function isDrawable(codePoint: number): boolean {
  return /[^\p{Cc}\p{Cn}\p{Cs}]/u.test(String.fromCodePoint(codePoint));
}

function drawGlyph(sdf: NodeTinySDF, codePoint: number): Glyph {
  const g = sdf.draw(String.fromCodePoint(codePoint));
  return {
    id: codePoint,
    bitmap: g.glyphWidth && g.glyphHeight ? Uint8Array.from(g.data) : new Uint8Array(0),
    width: g.glyphWidth,
    height: g.glyphHeight,
    left: g.glyphLeft,
    top: Math.round(g.glyphTop - TOP_ADJUSTMENT),
    advance: Math.round(g.glyphAdvance),
  };
}

/** glyphs { repeated fontstack stacks = 1 }; fontstack { name = 1, range = 2, repeated glyph glyphs = 3 }. */
function encodeRange(name: string, start: number, glyphs: Glyph[]): Uint8Array {
  const pbf = new Pbf();
  pbf.writeMessage(
    1,
    (_: null, p: Pbf) => {
      p.writeStringField(1, name);
      p.writeStringField(2, `${start}-${start + 255}`);
      for (const glyph of glyphs) p.writeMessage(3, writeGlyph, glyph);
    },
    null,
  );
  return pbf.finish();
}

/** glyph { uint32 id = 1, bytes bitmap = 2, uint32 width = 3, height = 4, sint32 left = 5, top = 6, uint32 advance = 7 }. */
function writeGlyph(g: Glyph, p: Pbf): void {
  p.writeVarintField(1, g.id);
  if (g.bitmap.length > 0) p.writeBytesField(2, g.bitmap);
  p.writeVarintField(3, g.width);
  p.writeVarintField(4, g.height);
  p.writeSVarintField(5, g.left);
  p.writeSVarintField(6, g.top);
  p.writeVarintField(7, g.advance);
}

function outputsAreFresh(): boolean {
  const scriptTime = fs.statSync(scriptPath).mtimeMs;
  return RANGE_STARTS.every((start) => {
    const file = path.join(outDir, `${start}-${start + 255}.pbf`);
    return fs.existsSync(file) && fs.statSync(file).mtimeMs > scriptTime;
  });
}

function main(): void {
  if (outputsAreFresh()) {
    console.log(`glyphs: up to date in ${path.relative(process.cwd(), outDir)}`);
    return;
  }
  if (!fs.existsSync(FONT_PATH)) {
    throw new Error(`glyphs: ${FONT_PATH} is missing; install the Debian package fonts-noto-cjk`);
  }
  if (!GlobalFonts.registerFromPath(FONT_PATH, FAMILY_ALIAS)) {
    throw new Error(`glyphs: could not load ${FONT_PATH}`);
  }
  const sdf = new NodeTinySDF({ ...SDF, fontFamily: FAMILY_ALIAS });
  fs.mkdirSync(outDir, { recursive: true });
  for (const start of RANGE_STARTS) {
    const glyphs: Glyph[] = [];
    for (let cp = start; cp < start + 256; cp++) {
      if (isDrawable(cp)) glyphs.push(drawGlyph(sdf, cp));
    }
    const file = path.join(outDir, `${start}-${start + 255}.pbf`);
    fs.writeFileSync(file, encodeRange(GLYPH_FONTSTACK, start, glyphs));
  }
  console.log(
    `glyphs: wrote ${RANGE_STARTS.length} ranges of ${GLYPH_FONTSTACK} to ${path.relative(process.cwd(), outDir)}`,
  );
}

main();
