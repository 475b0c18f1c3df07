/**
 * The archiver's tunables that are not worth a flag, in one place (as browsertrix-crawler keeps its constants): each
 * bounds something a hostile or broken page could otherwise make unbounded, or sets a trade-off measured by the
 * bench. The limits users set are flags (config.ts).
 */

const MiB = 1024 * 1024;

/** First backoff before a retry; doubles each retry. A Retry-After longer than the maximum is not waited for. */
export const RETRY_BASE_DELAY_MS = 1000;
export const RETRY_MAX_DELAY_MS = 30_000;

/** Encoder quality for stored images: WebP's 75 and AVIF's 50 look alike at about the same size. */
export const IMAGE_QUALITY = { webp: 75, avif: 50 } as const;
/** Images of one capture downloaded and encoded at once (libvips runs them on libuv's threads). */
export const IMAGES_AT_ONCE = 2;
/** Encoded images a run keeps by content hash, so a logo or photo shared by many pages is encoded once. */
export const ENCODE_CACHE_BYTES = 64 * MiB;

/**
 * Characters of markup (scripts and styles removed) handed to jsdom at most: jsdom holds about 80 bytes of memory per
 * byte of markup, so this keeps one huge page from taking the run's memory. Real articles are far below it.
 */
export const MAX_PARSE_CHARS = 6 * MiB;
/** A page that keeps a parse worker busy longer than this fails, and its worker is replaced. */
export const PARSE_TIMEOUT_MS = 60_000;
/** Young generation of each parse worker: a page's DOM dies young instead of being promoted and marked. */
export const WORKER_YOUNG_GENERATION_MB = 128;

/** A refresh whose text shrank below this share of the kept capture is taken as a removal notice or paywall. */
export const WORSE_COPY_RATIO = 0.2;
/** The excerpt kept in front matter, in characters. */
export const EXCERPT_MAX_CHARS = 400;

/** Longest URL accepted on a line of links.txt: far beyond any real link, short enough to keep logs readable. */
export const MAX_URL_LENGTH = 8192;

/**
 * Characters of a text/plain page kept: the rest is cut with a note. Escaped as HTML, the kept text stays far below
 * GitHub's 100 MiB file limit whatever it holds.
 */
export const TEXT_CAPTURE_MAX_CHARS = 2 * MiB;
/** The largest index.html a capture may have; a bigger one fails the link rather than the push. */
export const CAPTURE_FILE_MAX_BYTES = 25 * MiB;
/** The most a capture folder may hold (--capture-max-bytes is at most this): under GitHub's 100 MiB file limit. */
export const CAPTURE_FOLDER_MAX_BYTES = 95 * MiB;
/**
 * Of a capture's time limit, the share its images may use: when it runs out, the images not yet stored are dropped
 * (keeping their alt text), so the capture itself still finishes in time.
 */
export const IMAGES_SHARE_OF_CAPTURE_TIME = 0.8;

/**
 * Save Page Now (SPN2): jobs at once (the Internet Archive limits concurrent captures per account), how often a job's
 * status is asked, and how long one job is waited for before the URL is left without a recorded snapshot.
 */
export const SAVE_AT_ONCE = 2;
export const SAVE_POLL_MS = 5_000;
export const SAVE_WAIT_MS = 120_000;
