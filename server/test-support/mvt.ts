/**
 * A reader of Mapbox Vector Tiles (protobuf, spec 2.1) for tests and benchmarks: layers, features with their id,
 * properties, type and geometry in tile units. The server never decodes its tiles; what reads them here is
 * checking what PostGIS wrote.
 */

export type MvtFeature = {
  id: number | undefined;
  type: "Point" | "LineString" | "Polygon" | "Unknown";
  properties: Record<string, string | number | boolean>;
  /** Parts (points, lines or rings) in tile units, 0…extent inside the tile. */
  geometry: [number, number][][];
};

export type MvtLayer = { name: string; extent: number; features: MvtFeature[] };

class Reader {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly end = buf.length,
  ) {}

  varint(): number {
    let result = 0;
    let shift = 1;
    for (;;) {
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * shift;
      if (b < 0x80) return result;
      shift *= 128;
    }
  }

  bytes(): Uint8Array {
    const len = this.varint();
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.pos += this.varint();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

const text = new TextDecoder();
const zigzag = (n: number) => (n % 2 === 1 ? -(n + 1) / 2 : n / 2);

function packed(bytes: Uint8Array): number[] {
  const r = new Reader(bytes);
  const out: number[] = [];
  while (r.pos < r.end) out.push(r.varint());
  return out;
}

function value(bytes: Uint8Array): string | number | boolean {
  const r = new Reader(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (r.pos < r.end) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    if (field === 1) return text.decode(r.bytes());
    if (field === 2) return view.getFloat32(r.pos, true);
    if (field === 3) return view.getFloat64(r.pos, true);
    if (field === 4 || field === 5) return r.varint();
    if (field === 6) return zigzag(r.varint());
    if (field === 7) return r.varint() !== 0;
    r.skip(tag & 7);
  }
  throw new Error("empty value");
}

function geometry(commands: number[]): [number, number][][] {
  const parts: [number, number][][] = [];
  let x = 0;
  let y = 0;
  let i = 0;
  while (i < commands.length) {
    const c = commands[i++]!;
    const id = c & 7;
    const count = c >> 3;
    if (id === 7) {
      const first = parts.at(-1)?.[0];
      if (first) parts.at(-1)!.push([first[0], first[1]]);
      continue;
    }
    for (let k = 0; k < count; k++) {
      x += zigzag(commands[i++]!);
      y += zigzag(commands[i++]!);
      if (id === 1) parts.push([[x, y]]);
      else parts.at(-1)!.push([x, y]);
    }
  }
  return parts;
}

const TYPES = ["Unknown", "Point", "LineString", "Polygon"] as const;

/** The layers of a tile (an empty body is a tile without layers). */
export function decodeMvt(tile: Uint8Array): MvtLayer[] {
  const r = new Reader(tile);
  const layers: MvtLayer[] = [];
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag >> 3 !== 3) {
      r.skip(tag & 7);
      continue;
    }
    const l = new Reader(r.bytes());
    const keys: string[] = [];
    const values: (string | number | boolean)[] = [];
    const raw: { id?: number; tags: number[]; type: number; geometry: number[] }[] = [];
    const layer: MvtLayer = { name: "", extent: 4096, features: [] };
    while (l.pos < l.end) {
      const t = l.varint();
      const field = t >> 3;
      if (field === 1) layer.name = text.decode(l.bytes());
      else if (field === 3) keys.push(text.decode(l.bytes()));
      else if (field === 4) values.push(value(l.bytes()));
      else if (field === 5) layer.extent = l.varint();
      else if (field === 2) {
        const f = new Reader(l.bytes());
        const feature: (typeof raw)[number] = { tags: [], type: 0, geometry: [] };
        while (f.pos < f.end) {
          const ft = f.varint();
          const ff = ft >> 3;
          if (ff === 1) feature.id = f.varint();
          else if (ff === 2) feature.tags = packed(f.bytes());
          else if (ff === 3) feature.type = f.varint();
          else if (ff === 4) feature.geometry = packed(f.bytes());
          else f.skip(ft & 7);
        }
        raw.push(feature);
      } else l.skip(t & 7);
    }
    layer.features = raw.map((f) => {
      const properties: MvtFeature["properties"] = {};
      for (let k = 0; k + 1 < f.tags.length; k += 2) properties[keys[f.tags[k]!]!] = values[f.tags[k + 1]!]!;
      return { id: f.id, type: TYPES[f.type] ?? "Unknown", properties, geometry: geometry(f.geometry) };
    });
    layers.push(layer);
  }
  return layers;
}

/** The slippy-map tile (`x`, `y` at zoom `z`, Web Mercator) that holds a point. */
export function tileOf(lng: number, lat: number, z: number) {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return {
    x: Math.floor(((lng + 180) / 360) * n),
    y: Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n),
  };
}
