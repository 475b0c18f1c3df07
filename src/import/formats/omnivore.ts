/**
 * Omnivore's export: the metadata_*.json files of its zip, [{ id, slug, title, description, author, url, state,
 * readingProgress, thumbnail, labels: ["…"], savedAt, updatedAt, publishedAt }]. Labels become tags.
 */
import type { ImportFormat } from "../types.ts";
import { Collector, eachRecord, firstRecord, tagNames, text } from "./common.ts";

export const omnivore: ImportFormat = {
  name: "omnivore",
  label: "Omnivore export (metadata JSON)",
  detect: ({ json }) => {
    const first = firstRecord(json);
    return first !== undefined && "url" in first && ("savedAt" in first || "slug" in first || "labels" in first);
  },
  parse: (source, context, json) =>
    eachRecord(json as unknown[], source.name, new Collector(context), (record, where) => {
      const url = text(record.url);
      if (!url) return "has no url";
      const title = text(record.title);
      return { url, ...(title ? { title } : {}), tags: tagNames(record.labels), where };
    }),
};
