/**
 * What the CSV exports share: the file read as rows (csv.ts), each row read by column name (column order and extra
 * columns do not matter) into an entry or the reason it is none, named by line. A broken quote ends the file there:
 * the rows before it are read, the rest reported.
 */
import { columnsOf, CsvError, parseCsv, type CsvRow } from "../csv.ts";
import type { ImportEntry, ParseContext, ParseResult, SourceText } from "../types.ts";
import { Collector } from "./common.ts";

export function readRows(source: SourceText, context: ParseContext, read: (cell: (name: string) => string, where: string) => ImportEntry | string): ParseResult {
  const collector = new Collector(context);
  let rows: CsvRow[];
  try {
    rows = parseCsv(source.text);
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    // Rows before the broken one are still whole: read up to it, report the rest.
    collector.problem(`${source.name}:${error.line}`, `${error.message}; the rest of the file was not read`);
    rows = parseCsv(source.text.split(/\r\n|\n|\r/).slice(0, error.line - 1).join("\n"));
  }
  const [header, ...body] = rows;
  if (!header) return collector.result;
  const columns = columnsOf(header);
  for (const row of body) {
    if (collector.full) break;
    const where = `${source.name}:${row.line}`;
    const cell = (name: string) => {
      const index = columns.get(name);
      return index === undefined ? "" : (row.fields[index] ?? "").trim();
    };
    const entry = read(cell, where);
    if (typeof entry === "string") collector.problem(where, entry);
    else collector.add(entry);
  }
  return collector.result;
}

export const has = (names: string[], ...wanted: string[]) => wanted.every((name) => names.includes(name));
export const isCsv = (name: string, head: string) => /\.csv$/i.test(name) || !/^\s*[<{[]/.test(head);
