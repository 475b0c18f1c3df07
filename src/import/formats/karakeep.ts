/**
 * Karakeep's export, formerly Hoarder's (Settings › Import/Export): { bookmarks: [{ createdAt, title, tags: ["…"],
 * content: { type: "link", url } | { type: "text", text } | null, note, archived }], lists }. Text notes and files have
 * no address and are skipped; a bookmark with no content is named "<file> entry N".
 */
import type { ImportFormat } from "../types.ts";
import { Collector, eachRecord, isObject, tagNames, text, type Json } from "./common.ts";

export const karakeep: ImportFormat = {
  name: "karakeep",
  label: "Karakeep (Hoarder) JSON export",
  detect: ({ json }) => isObject(json) && Array.isArray(json.bookmarks) && (json.bookmarks.length === 0 || json.bookmarks.some((b) => isObject(b) && "content" in b)),
  parse: (source, context, json) =>
    eachRecord((json as Json).bookmarks as unknown[], source.name, new Collector(context), (record, where) => {
      const content = record.content;
      // A note or an uploaded file has no address to archive: not an error in the export, just nothing to import.
      if (isObject(content) && content.type !== "link") return undefined;
      const url = isObject(content) ? text(content.url) : undefined;
      if (!url) return "has no link (content.url)";
      const title = text(record.title);
      return { url, ...(title ? { title } : {}), tags: tagNames(record.tags), where };
    }),
};
