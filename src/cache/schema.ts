/**
 * Checks a capture's front matter (CaptureMeta in types.ts) and a failure record (FailureRecord) before anything uses
 * them: the archiver, verify and the site. Input: parsed YAML/JSON. Output: the typed value, or the list of what is wrong.
 * Fields the pages need are required; the rest are type-checked when present and defaulted when absent, so an
 * older capture still shows while a malformed one is left out with its reason.
 */
import { CAPTURE_KEY as HASH, FILE_NAME, SERVABLE_EXTENSIONS, hashUrl } from "./layout.ts";
import { CAPTURE_KINDS as KINDS, type CaptureKind, type CaptureMeta, type FailureRecord } from "./types.ts";

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/**
 * How long each text field is written (the archiver cuts to these): a title from a stranger's page is shown on the
 * capture page, the index, the feed, archive.json and the search metadata, so it must not be megabytes.
 */
export const FIELD_MAX_CHARS = { title: 300, byline: 200, site_name: 200, lang: 35, excerpt: 400, content_type: 200, archiver: 100 } as const;
/** Longer than any capture this archiver writes: a field past it was planted, and its capture is left out. */
const TEXT_HARD_MAX_CHARS = 10_000;
/** URLs: links.txt accepts 8,192 characters; a redirect may add some. */
const URL_HARD_MAX_CHARS = 16_384;


function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

const isDate = (value: string): boolean => !Number.isNaN(Date.parse(value));

/** Reads fields off an untrusted object, collecting every problem rather than stopping at the first. */
class FieldReader {
  readonly errors: string[] = [];
  private readonly data: Record<string, unknown>;
  // A plain field, not a parameter property: Node's type stripping (the parse workers) has none.
  constructor(data: Record<string, unknown>) {
    this.data = data;
  }

  string(key: string, check?: (v: string) => boolean, hint = "a string", max = TEXT_HARD_MAX_CHARS): string {
    const v = this.data[key];
    if (typeof v !== "string" || (check && !check(v))) {
      this.errors.push(v === undefined || v === null ? `"${key}" is missing` : `"${key}" must be ${hint}`);
      return "";
    }
    if (v.length > max) {
      this.errors.push(`"${key}" is ${v.length} characters long, more than the ${max} a capture may have`);
      return "";
    }
    return v;
  }

  optionalString(key: string, check?: (v: string) => boolean, hint = "a string", max = TEXT_HARD_MAX_CHARS): string | undefined {
    const v = this.data[key];
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v !== "string" || (check && !check(v))) {
      this.errors.push(`"${key}" must be ${hint}`);
      return undefined;
    }
    if (v.length > max) {
      this.errors.push(`"${key}" is ${v.length} characters long, more than the ${max} a capture may have`);
      return undefined;
    }
    return v;
  }

  count(key: string, required: boolean): number {
    const v = this.data[key];
    if ((v === undefined || v === null) && !required) return 0;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
      this.errors.push(v === undefined || v === null ? `"${key}" is missing` : `"${key}" must be a whole number ≥ 0`);
      return 0;
    }
    return v;
  }
}

/** `folder` is the capture folder's name: it must equal hash_url, which must be md5(url) (the public contract). */
export function checkCaptureMeta(data: unknown, folder: string): Checked<CaptureMeta> {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return { ok: false, errors: ["front matter is missing or is not a YAML mapping"] };
  }
  const r = new FieldReader(data as Record<string, unknown>);
  const title = r.string("title");
  const url = r.string("url", isHttpUrl, "an absolute http(s) URL", URL_HARD_MAX_CHARS);
  const hash_url = r.string("hash_url", (v) => HASH.test(v), "32 lower-case hex digits");
  if (hash_url && hash_url !== folder) r.errors.push(`"hash_url" ${hash_url} does not match its folder name`);
  if (hash_url && url && hashUrl(url) !== hash_url) r.errors.push(`"hash_url" is not md5 of "url"`);
  const archived_at = r.string("archived_at", isDate, "an ISO 8601 date-time");
  const kind = r.string("kind", (v) => (KINDS as readonly string[]).includes(v), `one of ${KINDS.join(", ")}`) as CaptureKind;
  const status = r.optionalString("status", (v) => v === "captured", '"captured"');
  const dir = r.optionalString("dir", (v) => v === "ltr" || v === "rtl", '"ltr" or "rtl"') as CaptureMeta["dir"];
  const file = r.optionalString("file", (v) => FILE_NAME.test(v) && v !== "index.html", "a plain file name in the capture folder");
  if ((kind === "pdf" || kind === "image") && !r.errors.some((e) => e.startsWith('"file"'))) {
    const extension = file?.split(".").pop()?.toLowerCase() ?? "";
    if (!file) r.errors.push(`"file" is missing (a ${kind} capture stores its file beside index.html)`);
    else if (!SERVABLE_EXTENSIONS[kind].includes(extension)) r.errors.push(`"file" of a ${kind} capture must end in .${SERVABLE_EXTENSIONS[kind].join(" or .")}`);
  }
  const meta: CaptureMeta = {
    title,
    url,
    hash_url,
    archived_at,
    // Shown as a link on the capture page: like url, only http(s).
    final_url: r.optionalString("final_url", isHttpUrl, "an absolute http(s) URL", URL_HARD_MAX_CHARS) ?? url,
    status: (status ?? "captured") as "captured",
    kind,
    content_type: r.optionalString("content_type") ?? "",
    http_status: r.count("http_status", false),
    byline: r.optionalString("byline"),
    site_name: r.optionalString("site_name"),
    lang: r.optionalString("lang"),
    dir,
    excerpt: r.optionalString("excerpt"),
    published_at: r.optionalString("published_at", isDate, "an ISO 8601 date"),
    word_count: r.count("word_count", false),
    file,
    images: r.count("images", false),
    images_failed: r.count("images_failed", false),
    images_dropped: r.count("images_dropped", false),
    images_dropped_reason: r.optionalString("images_dropped_reason"),
    content_sha256: r.optionalString("content_sha256") ?? "",
    archiver: r.optionalString("archiver") ?? "",
  };
  return r.errors.length > 0 ? { ok: false, errors: r.errors } : { ok: true, value: meta };
}

export function checkFailureRecord(data: unknown): Checked<FailureRecord> {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return { ok: false, errors: ["not a JSON object"] };
  }
  const r = new FieldReader(data as Record<string, unknown>);
  const value: FailureRecord = {
    url: r.string("url", isHttpUrl, "an absolute http(s) URL", URL_HARD_MAX_CHARS),
    hash_url: r.string("hash_url", (v) => HASH.test(v), "32 lower-case hex digits"),
    line: r.count("line", false),
    code: r.optionalString("code") ?? "",
    reason: r.optionalString("reason") ?? "",
    first_failed_at: r.optionalString("first_failed_at", isDate, "an ISO 8601 date-time") ?? "",
    last_failed_at: r.string("last_failed_at", isDate, "an ISO 8601 date-time"),
    attempts: r.count("attempts", false),
    kept_previous: (data as Record<string, unknown>).kept_previous === true,
  };
  return r.errors.length > 0 ? { ok: false, errors: r.errors } : { ok: true, value };
}
