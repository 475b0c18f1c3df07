/**
 * The cache module's own errors. The archiver maps them to its codes (archive/errors.ts); the site reports them as a
 * capture left out. Kept apart from the modules that throw them, so the parse workers can know them cheaply.
 */

/** cache/ could not be written: a work folder, a rename. The archiver records it as the link's failure. */
export class CacheWriteError extends Error {
  override name = "CacheWriteError";
  readonly code = "CACHE_WRITE";
}

/** A capture file that is not YAML front matter and HTML: another front-matter language, no front matter, bad YAML. */
export class CaptureFileError extends Error {
  override name = "CaptureFileError";
  readonly code = "CACHE_BAD_CAPTURE_FILE";
}

/** A symbolic link (or a device, a folder) where cache/ must hold a regular file: refused, never followed. */
export class NotRegularFileError extends Error {
  override name = "NotRegularFileError";
  readonly code = "CACHE_NOT_REGULAR_FILE";
}
