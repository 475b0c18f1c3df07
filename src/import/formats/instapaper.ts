/**
 * Instapaper's CSV export: URL,Title,Selection,Folder,Timestamp[,Tags]. Folder is "Unread", "Archive" or "Starred"
 * (states, not tags) or a folder of the user's (a tag); Tags, in newer exports, is a JSON list in one cell
 * ("[""coding""]"). Rows are named by line.
 */
import { headerNames } from "../csv.ts";
import type { ImportFormat } from "../types.ts";
import { splitList } from "./common.ts";
import { has, isCsv, readRows } from "./csv-rows.ts";

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
