/**
 * wallabag's JSON export (Export › JSON): [{ id, title, url, is_archived, is_starred, tags: ["…"], content,
 * domain_name, reading_time, … }]. A record without url is named "<file> entry N".
 */
import type { ImportFormat } from "../types.ts";
import { Collector, eachRecord, firstRecord, tagNames, text } from "./common.ts";

export const wallabag: ImportFormat = {
  name: "wallabag",
  label: "wallabag JSON export",
  detect: ({ json }) => {
    const first = firstRecord(json);
    return first !== undefined && "url" in first && ("is_archived" in first || "is_starred" in first || "reading_time" in first || "domain_name" in first);
  },
  parse: (source, context, json) =>
    eachRecord(json as unknown[], source.name, new Collector(context), (record, where) => {
      const url = text(record.url);
      if (!url) return "has no url";
      const title = text(record.title);
      return { url, ...(title ? { title } : {}), tags: tagNames(record.tags), where };
    }),
};
