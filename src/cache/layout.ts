/**
 * The shape of cache/ on disk, the project's public contract (DESIGN.md "Capture folder"): every name a capture, its
 * files and its bookkeeping may have, in one place. Pure: no I/O. Everything that reads or writes cache/ (the
 * archiver, the site, verify, the CI helpers, the tools and the tests) takes its names from here.
 */
import { createHash } from "node:crypto";
import path from "node:path";

/** A capture key as it names a folder in cache/: 32 lower-case hex digits. */
export const CAPTURE_KEY = /^[0-9a-f]{32}$/;

/** The capture key: md5 of the URL exactly as written (trimmed). A public contract: never normalize. */
export function hashUrl(url: string): string {
  return createHash("md5").update(url, "utf8").digest("hex");
}

/**
 * A version's segment of its permanent address, `/<hash_url>/<YYYYMMDDhhmmss>/` (DESIGN.md "Mirror address"): its
 * archived_at in UTC, to the second, the form web archives use in Memento URLs (RFC 7089, the Wayback Machine). A
 * citation pins what its author read by linking here; cite, the build and mirror.js all take it from this function.
 */
export function versionStamp(archivedAt: string): string {
  const date = new Date(archivedAt);
  const iso = Number.isNaN(date.getTime()) ? "" : date.toISOString();
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)/.exec(iso);
  if (!m) throw new RangeError(`archived_at "${archivedAt}" is not a date-time between the years 0 and 9999`);
  return m.slice(1).join("");
}

/** What versionStamp returns: 14 digits. */
export const VERSION_STAMP = /^\d{14}$/;

/** The current version of a capture: front matter, then the sanitized HTML. */
export const CAPTURE_FILE = "index.html";

/**
 * An earlier version of a capture, kept beside index.html in the same format when the page changed (DESIGN.md
 * "Capture folder"): `<YYYYMMDDhhmmss>.html`, the versionStamp of its own archived_at, so its name is its permanent
 * address `/<hash_url>/<YYYYMMDDhhmmss>/`. Never rewritten once written.
 */
export const VERSION_FILE = /^(\d{14})\.html$/;

export function versionFileName(stamp: string): string {
  if (!VERSION_STAMP.test(stamp)) throw new RangeError(`"${stamp}" is not a YYYYMMDDhhmmss version stamp`);
  return `${stamp}.html`;
}

/** The stamp a version file is named by, or undefined when the name is not a version file's. */
export function stampOfVersionFile(name: string): string | undefined {
  return VERSION_FILE.exec(name)?.[1];
}

/**
 * What the link watch (npm run check) knows of each original: `_status/<hash>.json`, one file a link, rewritten only
 * when the original's status changes (a transition), never on a check that finds what it found before. So a weekly
 * check of thousands of unchanged links leaves git as it was, but for the check log below.
 */
export const STATUS_DIR = "_status";

/**
 * The check log: one small file, rewritten by each check run: when each slice of the links was last checked (and
 * where a run cut short stopped), and the last runs' counts. "Last seen alive" is the last check of a link's slice.
 */
export const CHECK_LOG_FILE = "_checks.json";

/** Failure records, one file a link (`<hash>.json`), so shards archived in parallel never edit the same file. */
export const FAILURES_DIR = "_failures";

/**
 * Images stored beside index.html, named by content (contentKey in archive/images/encode.ts): 32 hex digits of the
 * sha256 of the bytes as served, then the stored format.
 */
export const IMAGE_FILE = /^[0-9a-f]{32}\.(?:webp|avif)$/;

/** The original of a PDF capture, kept as it came. */
export const PDF_FILE = "document.pdf";

/** What `file` may name for a pdf or image capture: raster images and PDFs, never HTML or SVG (script-capable). */
export const SERVABLE_EXTENSIONS: Record<"pdf" | "image", readonly string[]> = {
  pdf: ["pdf"],
  image: ["webp", "avif", "png", "jpg", "jpeg", "gif"],
};

/** A stored file's name: plain, no folders, no dot-files. */
export const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}$/;

/** Work folders of a run in progress (`.tmp-<hash>-<pid>-<random>`) and a previous capture moved aside (`.old-…`). */
export const WORK_PREFIX = ".tmp-";
export const OLD_PREFIX = ".old-";

export function captureDir(cacheDir: string, hash: string): string {
  return path.join(cacheDir, hash);
}

export function captureFile(cacheDir: string, hash: string): string {
  return path.join(cacheDir, hash, CAPTURE_FILE);
}

export function failureFile(cacheDir: string, hash: string): string {
  return path.join(cacheDir, FAILURES_DIR, `${hash}.json`);
}

export function statusFile(cacheDir: string, hash: string): string {
  return path.join(cacheDir, STATUS_DIR, `${hash}.json`);
}

export function checkLogFile(cacheDir: string): string {
  return path.join(cacheDir, CHECK_LOG_FILE);
}

/** `cache/<hash>/<YYYYMMDDhhmmss>.html`. */
export function versionFile(cacheDir: string, hash: string, stamp: string): string {
  return path.join(cacheDir, hash, versionFileName(stamp));
}

/** "2/4" → shard 2 of 4 (1 ≤ I ≤ N ≤ 256), or undefined when it is not one. */
export function parseShard(text: string): { index: number; count: number } | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  return m && count >= 1 && count <= 256 && index >= 1 && index <= count ? { index, count } : undefined;
}

/** What --shard must look like, for messages. */
export const SHARD_FORMAT = "must be I/N with 1 ≤ I ≤ N ≤ 256, e.g. --shard 2/4 for the second of four shards";

/** The shard of a capture key, 1-based: the first 8 hex digits modulo `count`, so shards are stable and evenly filled. */
export function shardOf(hash: string, count: number): number {
  return (Number.parseInt(hash.slice(0, 8), 16) % count) + 1;
}

/**
 * The capture key a path under the cache folder belongs to: `<hash>/…`, `_failures/<hash>.json` or
 * `_status/<hash>.json` (relative to the cache folder, with forward slashes); undefined for anything else.
 */
export function keyOfCachePath(relative: string): string | undefined {
  const m = /^([0-9a-f]{32})\//.exec(relative) ?? /^(?:_failures|_status)\/([0-9a-f]{32})\.json$/.exec(relative);
  return m?.[1];
}

/**
 * Whether a path under the cache folder (relative to it, forward slashes) names a file the archiver writes: a file
 * directly inside a capture folder, or a bookkeeping record. Anything else (a folder within a capture, a dot-file, a
 * "..", a work folder) is not part of the archive, so the CI helpers refuse to carry or commit it.
 */
export function isArchiveFile(relative: string): boolean {
  if (relative === CHECK_LOG_FILE) return true;
  if (relative.includes("\\")) return false;
  const parts = relative.split("/");
  if (parts.length !== 2) return false;
  const [folder, name] = parts as [string, string];
  if (folder === FAILURES_DIR || folder === STATUS_DIR) return /^[0-9a-f]{32}\.json$/.test(name);
  return CAPTURE_KEY.test(folder) && FILE_NAME.test(name);
}
