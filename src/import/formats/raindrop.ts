/**
 * Raindrop.io's CSV backup: id,title,note,excerpt,url,folder,tags,created,cover,highlights,favorite. folder is the
 * collection's path ("Research/Go": each part a tag; "Unsorted" is none), tags are comma-separated, and a note or a
 * highlight may span lines. Rows are named by line.
 */
import { headerNames } from "../csv.ts";
import type { ImportFormat } from "../types.ts";
import { splitList } from "./common.ts";
import { has, isCsv, readRows } from "./csv-rows.ts";

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
