/**
 * Pocket's CSV export, the zip of part_*.csv files Pocket mailed before it closed in 2025: title,url,time_added,
 * [cursor,]tags,status, tags joined by "|" (a title may hold "|" and commas, quoted). Rows are named by line.
 */
import { headerNames } from "../csv.ts";
import type { ImportFormat } from "../types.ts";
import { splitList } from "./common.ts";
import { has, isCsv, readRows } from "./csv-rows.ts";

export const pocket: ImportFormat = {
  name: "pocket",
  label: "Pocket CSV export",
  detect: ({ head, name }) => isCsv(name, head) && has(headerNames(head), "url", "time_added"),
  parse: (source, context) =>
    readRows(source, context, (cell, where) =>
      cell("url") === "" ? "has no url" : { url: cell("url"), ...(cell("title") ? { title: cell("title") } : {}), tags: splitList(cell("tags"), /\|/), where },
    ),
};
