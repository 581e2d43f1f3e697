/**
 * RFC 4180 CSV as spreadsheets write it: quoted cells may hold commas, doubled quotes and line breaks; a UTF-8
 * BOM and CRLF line ends are accepted. Returns the rows with the line each starts on, or the reason it cannot.
 */
export function parseCsv(
  text: string,
): { ok: true; rows: { line: number; cells: string[] }[] } | { ok: false; line: number } {
  const src = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const rows: { line: number; cells: string[] }[] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let touched = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === "\n") line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && cell === "") {
      quoted = true;
      touched = true;
    } else if (ch === ",") {
      row.push(cell);
      cell = "";
      touched = true;
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && src[i + 1] === "\n") i++;
      row.push(cell);
      if (touched || row.some((c) => c !== "")) rows.push({ line: rowLine, cells: row });
      row = [];
      cell = "";
      touched = false;
      line++;
      rowLine = line;
    } else {
      cell += ch;
      touched = true;
    }
  }
  if (quoted) return { ok: false, line: rowLine };
  if (touched || cell !== "" || row.length) {
    row.push(cell);
    rows.push({ line: rowLine, cells: row });
  }
  return { ok: true, rows };
}
