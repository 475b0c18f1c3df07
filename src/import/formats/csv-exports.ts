/**
 * The read-it-later services' CSV exports, each found by its header row and read by column name (column order and
 * extra columns do not matter). Rows are named by line; a row without a URL is reported and skipped.
 * - Pocket (the export Pocket mailed as a zip of part_*.csv before it closed in 2025): title,url,time_added,[cursor,]
 *   tags,status, tags separated by "|".
 * - Instapaper: URL,Title,Selection,Folder,Timestamp[,Tags]: Folder is "Unread", "Archive", "Starred" (states, not
 *   tags) or a folder of the user's (a tag); Tags, in newer exports, a JSON list in one cell ("[""coding""]").
 * - Raindrop.io: id,title,note,excerpt,url,folder,tags,created,cover,highlights,favorite: folder is a path
 *   ("Research/Go", each part a tag; "Unsorted" is none), tags comma-separated.
 */
import { columnsOf, CsvError, headerNames, parseCsv, type CsvRow } from "../csv.ts";
import type { ImportEntry, ImportFormat, ParseContext, ParseResult, SourceText } from "../types.ts";
import { Collector, splitList } from "./common.ts";

function readRows(source: SourceText, context: ParseContext, read: (cell: (name: string) => string, where: string) => ImportEntry | string): ParseResult {
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

const has = (names: string[], ...wanted: string[]) => wanted.every((name) => names.includes(name));
const isCsv = (name: string, head: string) => /\.csv$/i.test(name) || !/^\s*[<{[]/.test(head);

export const pocket: ImportFormat = {
  name: "pocket",
  label: "Pocket CSV export",
  detect: ({ head, name }) => isCsv(name, head) && has(headerNames(head), "url", "time_added"),
  parse: (source, context) =>
    readRows(source, context, (cell, where) =>
      cell("url") === "" ? "has no url" : { url: cell("url"), ...(cell("title") ? { title: cell("title") } : {}), tags: splitList(cell("tags"), /\|/), where },
    ),
};

/** Instapaper's folder column holds these states as well as the user's folders. */
const INSTAPAPER_STATES = new Set(["unread", "archive", "starred"]);

function instapaperTags(cell: string): string[] {
  if (cell.startsWith("[")) {
    try {
      const list = JSON.parse(cell) as unknown;
      if (Array.isArray(list)) return list.filter((tag): tag is string => typeof tag === "string");
    } catch {
      // Not JSON after all: read it as a comma-separated list.
    }
  }
  return splitList(cell, /,/);
}

export const instapaper: ImportFormat = {
  name: "instapaper",
  label: "Instapaper CSV export",
  detect: ({ head, name }) => isCsv(name, head) && has(headerNames(head), "url", "title", "selection", "folder"),
  parse: (source, context) =>
    readRows(source, context, (cell, where) => {
      if (cell("url") === "") return "has no URL";
      const folder = cell("folder");
      const tags = [...(folder && !INSTAPAPER_STATES.has(folder.toLowerCase()) ? [folder] : []), ...instapaperTags(cell("tags"))];
      return { url: cell("url"), ...(cell("title") ? { title: cell("title") } : {}), tags, where };
    }),
};

export const raindrop: ImportFormat = {
  name: "raindrop",
  label: "Raindrop.io CSV export",
  detect: ({ head, name }) => {
    const names = headerNames(head);
    return isCsv(name, head) && has(names, "url", "folder", "tags") && (names.includes("excerpt") || names.includes("note") || names.includes("highlights"));
  },
  parse: (source, context) =>
    readRows(source, context, (cell, where) => {
      if (cell("url") === "") return "has no url";
      const folders = splitList(cell("folder"), /\//).filter((folder) => folder.toLowerCase() !== "unsorted");
      return { url: cell("url"), ...(cell("title") ? { title: cell("title") } : {}), tags: [...folders, ...splitList(cell("tags"), /,/)], where };
    }),
};
