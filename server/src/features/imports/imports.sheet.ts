import fs from "node:fs";
import path from "node:path";
import { ImportError } from "@gridatlas/geodata/osm/errors.ts";
import type { SheetRow } from "@gridatlas/geodata/territory/import.ts";
import ExcelJS from "exceljs";

const CODE_NAMES = ["楼栋编码", "楼栋代码", "建筑编码", "编码", "ldbm", "code"];
const HOUSEHOLD_NAMES = ["户数", "住户数", "hs", "households"];

/**
 * The households spreadsheet of a territory import: a building code and its households a row, as CSV (UTF-8 or
 * GBK, as Excel in China saves it) or XLSX (first sheet), the header naming the two columns. Rows are numbered as
 * the spreadsheet shows them (the header is row 1); values are checked by the import, which reports each row.
 */
export async function readHouseholdsSheet(file: string): Promise<SheetRow[]> {
  const table = path.extname(file).toLowerCase() === ".xlsx" ? await xlsxRows(file) : csvRows(fs.readFileSync(file));
  const header = (table[0] ?? []).map((h) =>
    String(h ?? "")
      .trim()
      .toLowerCase(),
  );
  const col = (names: string[]) => header.findIndex((h) => names.includes(h));
  const c = col(CODE_NAMES);
  const h = col(HOUSEHOLD_NAMES);
  if (c < 0 || h < 0) {
    throw new ImportError(
      "bad_households_sheet",
      `户数表 ${path.basename(file)} 的表头应有「楼栋编码」和「户数」两列`,
      `the households spreadsheet ${path.basename(file)} needs the columns 楼栋编码 (building code) and 户数 (households)`,
    );
  }
  return table
    .slice(1)
    .map((cells, i) => ({ row: i + 2, code: cells[c] ?? null, households: cells[h] ?? null }))
    .filter((r) => r.code !== null || r.households !== null);
}

async function xlsxRows(file: string): Promise<unknown[][]> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(file);
  const sheet = book.worksheets[0];
  const out: unknown[][] = [];
  sheet?.eachRow({ includeEmpty: true }, (row, n) => {
    const values = (row.values as unknown[]).slice(1);
    out[n - 1] = values.map((v) =>
      v && typeof v === "object" && "result" in v ? (v as { result: unknown }).result : v,
    );
  });
  return Array.from(out, (r) => r ?? []);
}

/** Rows of a simple CSV (no quoted commas: codes and counts), decoded as UTF-8, else GBK. */
function csvRows(bytes: Buffer): unknown[][] {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder("gb18030").decode(bytes);
  }
  return text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .map((l) =>
      (l.trim() === "" ? [] : l.split(",")).map((x) => {
        const v = x.trim().replace(/^"|"$/g, "");
        return v === "" ? null : v;
      }),
    );
}
