/**
 * Small OpenStreetMap XML files made up for tests: a square street mesh with apartment slabs in its blocks,
 * placed at (lng0, lat0) and laid out in metres.
 */
export interface MeshOptions {
  lng0: number;
  lat0: number;
  /** Streets every `cell` metres, `cells` blocks a side. */
  cell: number;
  cells: number;
  levels: number;
  /** Leave the buildings out (a file that cannot make parcels). */
  noBuildings?: boolean;
}

export function meshOsmXml(o: MeshOptions): string {
  const mPerLat = 111_320;
  const mPerLng = 111_320 * Math.cos((o.lat0 * Math.PI) / 180);
  const at = (x: number, y: number) => [o.lng0 + x / mPerLng, o.lat0 + y / mPerLat] as const;
  const nodes: string[] = [];
  const ways: string[] = [];
  let id = 0;
  const node = (x: number, y: number, tags: Record<string, string> = {}) => {
    const [lng, lat] = at(x, y);
    id++;
    nodes.push(`<node id="${id}" version="1" lat="${lat.toFixed(7)}" lon="${lng.toFixed(7)}">${tagXml(tags)}</node>`);
    return id;
  };
  const way = (refs: number[], tags: Record<string, string>) => {
    id++;
    ways.push(`<way id="${id}" version="1">${refs.map((r) => `<nd ref="${r}"/>`).join("")}${tagXml(tags)}</way>`);
  };
  const span = o.cell * o.cells;
  for (let k = 0; k <= o.cells; k++) {
    const v = k * o.cell;
    way([node(v, -20), node(v, span + 20)], { highway: "residential", name: `经${k}路` });
    way([node(-20, v), node(span + 20, v)], { highway: k % 2 ? "secondary" : "residential", name: `纬${k}路` });
  }
  if (!o.noBuildings) {
    for (let i = 0; i < o.cells; i++) {
      for (let j = 0; j < o.cells; j++) {
        for (const dy of [0.3, 0.65]) {
          const x0 = i * o.cell + o.cell * 0.2;
          const y0 = j * o.cell + o.cell * dy;
          const ring = [node(x0, y0), node(x0 + 60, y0), node(x0 + 60, y0 + 15), node(x0, y0 + 15)];
          way([...ring, ring[0]!], {
            building: "apartments",
            "building:levels": String(o.levels),
            "addr:street": `纬${j}路`,
            "addr:housenumber": String(i * 10 + (dy < 0.5 ? 1 : 2)),
          });
        }
      }
    }
  }
  node(o.cell * 0.5, o.cell * 0.1, { amenity: "pharmacy", name: "百姓大药房" });
  node(o.cell * 0.55, o.cell * 0.12, { amenity: "bench" });
  node(o.cell + 5, o.cell + 5, { man_made: "surveillance", "surveillance:type": "camera", "camera:direction": "90" });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="gridatlas-tests">\n${nodes.join("\n")}\n${ways.join("\n")}\n</osm>\n`;
}

function tagXml(tags: Record<string, string>): string {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  return Object.entries(tags)
    .map(([k, v]) => `<tag k="${esc(k)}" v="${esc(v)}"/>`)
    .join("");
}

/** Two community polygons that split the mesh west/east through the middle of its blocks. */
export function halvesGeoJson(o: MeshOptions, codes: [string, string]): string {
  const mPerLat = 111_320;
  const mPerLng = 111_320 * Math.cos((o.lat0 * Math.PI) / 180);
  const at = (x: number, y: number) => [o.lng0 + x / mPerLng, o.lat0 + y / mPerLat];
  const span = o.cell * o.cells;
  const mid = span / 2;
  const rect = (x0: number, x1: number) => [
    [at(x0, -10), at(x1, -10), at(x1, span + 10), at(x0, span + 10), at(x0, -10)],
  ];
  return JSON.stringify({
    type: "FeatureCollection",
    features: [
      {
        type: "Feature",
        properties: { code: codes[0], name: "西区社区", name_en: "West" },
        geometry: { type: "Polygon", coordinates: rect(-10, mid) },
      },
      {
        type: "Feature",
        properties: { code: codes[1], name: "东区社区", name_en: "East" },
        geometry: { type: "Polygon", coordinates: rect(mid, span + 10) },
      },
    ],
  });
}
