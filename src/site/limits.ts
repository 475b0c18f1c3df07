/**
 * The site build's tunables that are not worth a setting, in one place. Each bounds the build's memory or a page's
 * size; the bench measures them (npm run bench, (d) and (e)).
 */

/**
 * Captures a search partition holds, about. Pagefind holds what one index covers in memory, so this bounds the build's
 * memory; the browser fetches one small file per partition for each word searched, so it should not be much smaller.
 */
export const SEARCH_PARTITION_SIZE = 1000;
/** Mirror pages one Eleventy run renders, about: Eleventy keeps every page it rendered until its run ends. */
export const MIRROR_BATCH_SIZE = 2000;
/** File operations in flight at once when the build copies or links files. */
export const FILES_AT_ONCE = 8;
/** Rows a page of the failures list shows: they are short, so more fit than capture summaries. */
export const FAILURES_PER_PAGE = 200;
/** Reading speed behind "n min read". */
export const WORDS_PER_MINUTE = 230;

/** What GitHub Pages publishes at most: https://docs.github.com/pages/getting-started-with-github-pages/github-pages-limits */
export const PAGES_SITE_LIMIT_BYTES = 1024 ** 3;
/** From this share of it, the build warns: time to act before a deploy fails. */
export const PAGES_SITE_WARN_SHARE = 0.8;
