/**
 * The bookmark services' JSON exports, each found by its shape and read record by record; a record that is not an
 * object or has no URL is reported as "<file> entry N" and skipped.
 * - Pinboard (posts/all?format=json, the settings page's JSON backup): [{ href, description (the title), extended,
 *   tags: "space separated", time, shared, toread }].
 * - wallabag (Export › JSON): [{ id, title, url, is_archived, is_starred, tags: ["…"], content, domain_name, … }].
 * - Linkwarden (Settings › Data › Export): the account object, { …, collections: [{ id, name, parentId, links:
 *   [{ name, url, description, tags: [{ name }] }] }], pinnedLinks }; a link's collection (and its parents) become tags,
 *   except the default "Unorganized".
 * - Karakeep, formerly Hoarder (Settings › Import/Export): { bookmarks: [{ createdAt, title, tags: ["…"], content:
 *   { type: "link", url } | { type: "text", text } | null, note, archived }] }; text notes have no URL and are skipped.
 * - Omnivore (the export zip's metadata_*.json files): [{ id, slug, title, url, state, labels: ["…"], savedAt, … }].
 */
import type { ImportFormat } from "../types.ts";
import { Collector, eachRecord, isObject, splitList, tagNames, text, type Json } from "./common.ts";

const firstRecord = (json: unknown): Json | undefined => (Array.isArray(json) ? json.find(isObject) : undefined);

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
