/**
 * Pinboard's JSON backup (Settings › Backup, or posts/all?format=json): [{ href, description (the title), extended,
 * meta, hash, time, shared, toread, tags: "space separated" }]. A record without href is named "<file> entry N".
 */
import type { ImportFormat } from "../types.ts";
import { Collector, eachRecord, firstRecord, splitList, text } from "./common.ts";

export const pinboard: ImportFormat = {
  name: "pinboard",
  label: "Pinboard JSON export",
  detect: ({ json }) => {
    const first = firstRecord(json);
    return first !== undefined && "href" in first && ("description" in first || "toread" in first || "shared" in first);
  },
  parse: (source, context, json) =>
    eachRecord(json as unknown[], source.name, new Collector(context), (record, where) => {
      const url = text(record.href);
      if (!url) return "has no href";
      const title = text(record.description);
      return { url, ...(title ? { title } : {}), tags: splitList(record.tags, /\s+/), where };
    }),
};
