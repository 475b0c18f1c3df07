/**
 * The importer's bounds. An export file or a feed may be hostile or broken: every read is capped (bytes, entries, URL
 * length through the links grammar, pages fetched, time), and the ones a user may need to raise are flags of
 * `npm run import` (src/cli/import.ts), with these as their defaults.
 */
const MiB = 1024 * 1024;

/** Largest file or response read, after decompression: a 10,000-bookmark export is a few MB. */
export const MAX_SOURCE_BYTES = 64 * MiB;
/** Entries kept over the whole run: Pocket's largest exports were tens of thousands of items. */
export const MAX_ENTRIES = 200_000;
/** Pages a sitemap import fetches. */
export const MAX_PAGES = 500;
/** The whole run, fetches included. */
export const TIME_LIMIT_SECONDS = 600;
/** Files read from a folder of posts, and how deep it is walked. */
export const MAX_FOLDER_FILES = 20_000;
export const MAX_FOLDER_DEPTH = 32;
