import { spawn } from "node:child_process";
import readline from "node:readline";
import { ImportError } from "../osm/errors.ts";

/**
 * GDAL's command-line tools (Debian's gdal-bin) as the one reader and writer of GIS files: GeoJSON, CSV,
 * Shapefile (zipped, any .cpg encoding), GeoPackage and OpenStreetMap. Nothing here parses or writes a format by
 * hand; GDAL does, and these functions run it and read its GeoJSON.
 */

export type GeoJsonGeometry = { type: string; coordinates?: unknown; geometries?: unknown };

export interface OgrFeature {
  /** Position in the layer, from 1, as a person counts rows. */
  row: number;
  properties: Record<string, unknown>;
  geometry: GeoJsonGeometry | null;
}

export interface OgrField {
  name: string;
  /** GDAL's field type: String, Integer, Integer64, Real, Date, DateTime … */
  type: string;
}

export interface OgrLayer {
  name: string;
  geometryType: string;
  featureCount: number;
  /** [minX, minY, maxX, maxY] in the layer's own CRS, or null when GDAL reports none. */
  extent: [number, number, number, number] | null;
  /** The EPSG code of the layer's CRS when it declares one GDAL can name. */
  epsg: number | null;
  /** The CRS as GDAL describes it (WKT2), or null when the file declares none. */
  crsWkt: string | null;
  fields: OgrField[];
}

export interface ReadOptions {
  layer?: string | undefined;
  /** Overrides or supplies the source CRS (e.g. "EPSG:4549"), for files that declare none or a wrong one. */
  sourceSrs?: string | undefined;
  /** Reprojects to this CRS (GDAL needs one whenever sourceSrs is given). */
  targetSrs?: string | undefined;
  /** Declares the CRS without transforming anything: coordinates come out exactly as the file has them. */
  assignSrs?: string | undefined;
  /** GDAL open options (-oo), e.g. ENCODING=GBK for a Shapefile without .cpg, X_POSSIBLE_NAMES=lng for a CSV. */
  openOptions?: string[] | undefined;
  /** GDAL configuration options (--config KEY VALUE). */
  config?: Record<string, string> | undefined;
  /** Only the first this many features (ogr2ogr -limit). */
  limit?: number | undefined;
}

/** Runs a GDAL tool, handing each stdout line to onLine; stderr lines starting with ERROR or FAILURE fail it. */
export async function runGdal(
  cmd: "ogr2ogr" | "ogrinfo",
  args: string[],
  onLine: (line: string) => void,
): Promise<void> {
  const { stderr, code } = await runGdalLines(cmd, args, onLine);
  const errors = stderr
    .split("\n")
    .filter((l) => /^(ERROR|FAILURE)/.test(l))
    .map((l) => l.replace(/^(ERROR \d+|FAILURE):\s*/, ""))
    .join("; ");
  if (code !== 0 || errors) {
    throw new ImportError(
      "unreadable_file",
      `GDAL 无法读取文件：${errors || `${cmd} 退出码 ${code}`}`,
      `GDAL cannot read the file: ${errors || `${cmd} exit ${code}`}`,
    );
  }
}

/**
 * Runs a GDAL tool, handing each stdout line to onLine as it comes (a file can be large); returns its stderr and
 * exit code for the caller to judge. A missing tool, or an error thrown by onLine, fails it.
 */
export function runGdalLines(
  cmd: "ogr2ogr" | "ogrinfo",
  args: string[],
  onLine: (line: string) => void,
): Promise<{ stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    const err: Buffer[] = [];
    let failure: unknown = null;
    const lines = readline.createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on("line", (line) => {
      if (failure) return;
      try {
        onLine(line);
      } catch (e) {
        failure = e;
      }
    });
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e: NodeJS.ErrnoException) => {
      failure = e;
      reject(
        e.code === "ENOENT"
          ? new ImportError(
              "gdal_missing",
              `缺少 GDAL 的 ${cmd}（Debian 软件包 gdal-bin）`,
              `GDAL's ${cmd} is missing (Debian package gdal-bin)`,
            )
          : e,
      );
    });
    child.on("close", (code) => {
      lines.close();
      if (failure) reject(failure);
      else resolve({ stderr: Buffer.concat(err).toString("utf8"), code: code ?? 1 });
    });
  });
}

function configArgs(o: ReadOptions): string[] {
  return [
    ...Object.entries(o.config ?? {}).flatMap(([k, v]) => ["--config", k, v]),
    ...(o.openOptions ?? []).flatMap((x) => ["-oo", x]),
  ];
}

/** Features of one layer (the first when none is named) as GeoJSON, streamed from ogr2ogr. */
export async function readFeatures(file: string, o: ReadOptions = {}): Promise<OgrFeature[]> {
  const out: OgrFeature[] = [];
  const args = [
    ...configArgs(o),
    "-f",
    "GeoJSONSeq",
    "/vsistdout/",
    file,
    ...(o.layer ? [o.layer] : []),
    ...(o.sourceSrs ? ["-s_srs", o.sourceSrs] : []),
    ...(o.targetSrs ? ["-t_srs", o.targetSrs] : []),
    ...(o.assignSrs ? ["-a_srs", o.assignSrs] : []),
    ...(o.limit ? ["-limit", String(o.limit)] : []),
    // Full precision: a round trip must come back within a centimetre, whatever the CRS.
    "-lco",
    "COORDINATE_PRECISION=9",
  ];
  if (!o.layer) {
    const layers = await listLayers(file, o);
    if (layers.length === 0) {
      throw new ImportError("no_layers", "文件中没有图层", "the file holds no layer");
    }
    args.splice(args.indexOf(file) + 1, 0, layers[0]!.name);
  }
  await runGdal("ogr2ogr", args, (line) => {
    // GDAL prints its usage on stdout when it refuses the arguments; the exit code reports that.
    if (!line.startsWith("{")) return;
    const f = JSON.parse(line) as { properties?: Record<string, unknown> | null; geometry?: GeoJsonGeometry | null };
    out.push({ row: out.length + 1, properties: f.properties ?? {}, geometry: f.geometry ?? null });
  });
  return out;
}

/** The layers of a file with their geometry type, count, extent, CRS and fields (ogrinfo's summary, parsed). */
export async function listLayers(file: string, o: ReadOptions = {}): Promise<OgrLayer[]> {
  const text: string[] = [];
  await runGdal("ogrinfo", [...configArgs(o), "-ro", "-so", "-al", file], (line) => text.push(line));
  const layers: OgrLayer[] = [];
  let cur: OgrLayer | null = null;
  let wkt: string[] | null = null;
  for (const line of text) {
    const name = /^Layer name: (.*)$/.exec(line);
    if (name) {
      cur = {
        name: name[1]!,
        geometryType: "Unknown",
        featureCount: 0,
        extent: null,
        epsg: null,
        crsWkt: null,
        fields: [],
      };
      layers.push(cur);
      continue;
    }
    if (!cur) continue;
    if (wkt) {
      if (/^Data axis to CRS axis mapping/.test(line) || /^\S+: \S+ \(/.test(line)) {
        cur.crsWkt = wkt.join("\n");
        const ids = [...cur.crsWkt.matchAll(/ID\["EPSG",(\d+)\]/g)];
        // The CRS's own ID closes its WKT; earlier ones name its parts (datum, base CRS, axes).
        const last = ids.at(-1);
        cur.epsg = last && cur.crsWkt.trimEnd().endsWith(`${last[0]}]`) ? Number(last[1]) : null;
        wkt = null;
        if (/^Data axis/.test(line)) continue;
      } else {
        wkt.push(line);
        continue;
      }
    }
    const geom = /^Geometry: (.*)$/.exec(line);
    if (geom) cur.geometryType = geom[1]!;
    const count = /^Feature Count: (\d+)/.exec(line);
    if (count) cur.featureCount = Number(count[1]);
    const extent = /^Extent: \((-?[\d.e+-]+), (-?[\d.e+-]+)\) - \((-?[\d.e+-]+), (-?[\d.e+-]+)\)/.exec(line);
    if (extent) cur.extent = [Number(extent[1]), Number(extent[2]), Number(extent[3]), Number(extent[4])];
    if (/^Layer SRS WKT:/.test(line)) {
      wkt = [];
      continue;
    }
    // "name: Integer (10.0)", or with a subtype "name: String(JSON) (0.0)", "ok: Integer(Boolean) (1.0)".
    const field = /^([^:]+): (\w+)(?:\(\w+\))? \(/.exec(line);
    if (field && !/^(Geometry|Feature Count|Extent|Layer|FID Column|Geometry Column)/.test(line)) {
      cur.fields.push({ name: field[1]!, type: field[2]! });
    }
  }
  return layers;
}
