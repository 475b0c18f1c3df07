/**
 * Linkwarden's data export (Settings › Data › Export Data): the account object, { …, collections: [{ id, name,
 * parentId, links: [{ name, url, description, tags: [{ name }] }] }], pinnedLinks }. A link's collection and its parents
 * become tags, except the default "Unorganized". A link without url is named "<file> collection C entry N".
 */
import type { ImportFormat } from "../types.ts";
import { Collector, eachRecord, isObject, tagNames, text, type Json } from "./common.ts";

/** Linkwarden's default collection: where a link goes when its user chose none, so not a tag. */
const UNORGANIZED = "unorganized";

export const linkwarden: ImportFormat = {
  name: "linkwarden",
  label: "Linkwarden JSON export",
  detect: ({ json }) => isObject(json) && Array.isArray(json.collections) && json.collections.some((c) => isObject(c) && Array.isArray(c.links)),
  parse(source, context, json) {
    const collector = new Collector(context);
    const collections = ((json as Json).collections as unknown[]).filter(isObject);
    const byId = new Map(collections.map((c) => [c.id, c]));
    /** A collection's name and its parents', outermost first (a cycle or a chain past 16 stops). */
    const path = (collection: Json): string[] => {
      const names: string[] = [];
      for (let c: Json | undefined = collection, depth = 0; c && depth < 16; c = byId.get(c.parentId), depth++) {
        const name = text(c.name);
        if (name && name.toLowerCase() !== UNORGANIZED) names.unshift(name);
        if (c.parentId === undefined || c.parentId === null) break;
      }
      return names;
    };
    collections.forEach((collection, index) => {
      if (!Array.isArray(collection.links) || collector.full) return;
      const folders = path(collection);
      eachRecord(collection.links, `${source.name} collection ${index + 1}`, collector, (record, where) => {
        const url = text(record.url);
        if (!url) return "has no url";
        const title = text(record.name);
        return { url, ...(title ? { title } : {}), tags: [...folders, ...tagNames(record.tags)], where };
      });
    });
    return collector.result;
  },
};
