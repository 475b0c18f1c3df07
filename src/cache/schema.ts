/**
 * Checks a capture's front matter (CaptureMeta in types.ts) and a failure record (FailureRecord) before anything uses
 * them: the archiver, verify and the site. Input: parsed YAML/JSON. Output: the typed value, or the list of what is wrong.
 * Fields the pages need are required; the rest are type-checked when present and defaulted when absent, so an
 * older capture still shows while a malformed one is left out with its reason.
 */
import { CAPTURE_KEY as HASH, FILE_NAME, SERVABLE_EXTENSIONS, hashUrl } from "./layout.ts";
import {
  CAPTURE_KINDS as KINDS,
  ORIGINAL_STATUSES,
  type CaptureKind,
  type CaptureMeta,
  type CheckAnswer,
  type CheckLog,
  type CheckRunRecord,
  type FailureRecord,
  type SliceRecord,
  type StatusEntry,
  type StatusRecord,
} from "./types.ts";

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/**
 * How long each text field is written (the archiver cuts to these): a title from a stranger's page is shown on the
 * capture page, the index, the feed, archive.json and the search metadata, so it must not be megabytes.
 */
export const FIELD_MAX_CHARS = { title: 300, byline: 200, site_name: 200, lang: 35, excerpt: 400, content_type: 200, archiver: 100, etag: 200, last_modified: 64 } as const;

/**
 * An entity tag as RFC 9110 §8.8.3 writes it (W/"…" or "…", visible ASCII and obs-text inside): sent back to the server
 * as If-None-Match, so nothing that could break a header line (CR, LF, NUL) is ever stored.
 */
export const ETAG = /^(?:W\/)?"[\x21\x23-\x7e]*"$/;
/** An HTTP-date (Last-Modified), sent back as If-Modified-Since: printable ASCII that Date.parse reads. */
export const isHttpDate = (value: string): boolean => /^[\x20-\x7e]{1,64}$/.test(value) && !Number.isNaN(Date.parse(value));
/** The Wayback Machine's addresses are the only source_url a capture may name. */
const isSnapshotUrl = (value: string): boolean => isHttpUrl(value);
/** History entries kept in a status record: the oldest go first, the first "gone" stays findable by `since`. */
export const STATUS_HISTORY_MAX = 50;
/** Runs kept in the check log. */
export const CHECK_RUNS_KEPT = 20;
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
    etag: r.optionalString("etag", (v) => ETAG.test(v), 'an entity tag ("…" or W/"…")', FIELD_MAX_CHARS.etag),
    last_modified: r.optionalString("last_modified", isHttpDate, "an HTTP date", FIELD_MAX_CHARS.last_modified),
    source: r.optionalString("source", (v) => v === "internet-archive", '"internet-archive"') as CaptureMeta["source"],
    source_url: r.optionalString("source_url", isSnapshotUrl, "an absolute http(s) URL", URL_HARD_MAX_CHARS),
    source_date: r.optionalString("source_date", isDate, "an ISO 8601 date-time"),
    wayback_snapshot: r.optionalString("wayback_snapshot", isHttpUrl, "an absolute http(s) URL", URL_HARD_MAX_CHARS),
  };
  if (meta.source && !meta.source_url) r.errors.push('"source_url" is missing (a capture taken from the Internet Archive links to its snapshot)');
  for (const key of ["etag", "last_modified", "source", "source_url", "source_date", "wayback_snapshot"] as const) if (meta[key] === undefined) delete meta[key];
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

const STATUSES = ORIGINAL_STATUSES;
/** What a check answered, in public words: capped, and a sentence of ours (the writer takes it from reasons.ts). */
const REASON_MAX_CHARS = 300;

function checkAnswer(r: FieldReader, data: unknown, where: string): CheckAnswer {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    r.errors.push(`"${where}" must be an object`);
    return { reason: "" };
  }
  const inner = new FieldReader(data as Record<string, unknown>);
  const status = inner.count("http_status", false);
  const answer: CheckAnswer = {
    ...(status ? { http_status: status } : {}),
    ...(inner.optionalString("code", (v) => /^[A-Z][A-Z0-9_]{0,60}$/.test(v), "an error code") ? { code: (data as { code: string }).code } : {}),
    reason: inner.optionalString("reason", undefined, "a string", REASON_MAX_CHARS) ?? "",
  };
  if (status && (status < 100 || status > 599)) inner.errors.push('"http_status" must be an HTTP status (100–599)');
  r.errors.push(...inner.errors.map((e) => `${where}: ${e}`));
  return answer;
}

function checkEntry(r: FieldReader, data: Record<string, unknown>, where: string): StatusEntry {
  const inner = new FieldReader(data);
  const status = inner.string("status", (v) => (STATUSES as string[]).includes(v), `one of ${STATUSES.join(", ")}`) as StatusEntry["status"];
  const since = inner.string("since", isDate, "an ISO 8601 date-time");
  const moved = inner.optionalString("moved_to", isHttpUrl, "an absolute http(s) URL", URL_HARD_MAX_CHARS);
  r.errors.push(...inner.errors.map((e) => (where ? `${where}: ${e}` : e)));
  const answer = checkAnswer(r, data.answer, where ? `${where}.answer` : "answer");
  return { status, since, answer, ...(moved ? { moved_to: moved } : {}) };
}

/** cache/_status/<hash>.json: `key` is the file's hash, which must be md5 of its url. */
export function checkStatusRecord(data: unknown, key: string): Checked<StatusRecord> {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return { ok: false, errors: ["not a JSON object"] };
  const record = data as Record<string, unknown>;
  const r = new FieldReader(record);
  const url = r.string("url", isHttpUrl, "an absolute http(s) URL", URL_HARD_MAX_CHARS);
  const hash_url = r.string("hash_url", (v) => HASH.test(v), "32 lower-case hex digits");
  if (hash_url && hash_url !== key) r.errors.push(`"hash_url" ${hash_url} does not match its file name`);
  if (hash_url && url && hashUrl(url) !== hash_url) r.errors.push(`"hash_url" is not md5 of "url"`);
  const entry = checkEntry(r, record, "");
  const history: StatusEntry[] = [];
  if (!Array.isArray(record.history)) r.errors.push('"history" must be a list');
  else if (record.history.length > STATUS_HISTORY_MAX) r.errors.push(`"history" has ${record.history.length} entries, more than ${STATUS_HISTORY_MAX}`);
  else {
    record.history.forEach((item, i) => {
      if (typeof item !== "object" || item === null || Array.isArray(item)) r.errors.push(`history[${i}] must be an object`);
      else history.push(checkEntry(r, item as Record<string, unknown>, `history[${i}]`));
    });
  }
  let failing: StatusRecord["failing"];
  if (record.failing !== undefined && record.failing !== null) {
    if (typeof record.failing !== "object" || Array.isArray(record.failing)) r.errors.push('"failing" must be an object');
    else {
      const f = new FieldReader(record.failing as Record<string, unknown>);
      const since = f.string("since", isDate, "an ISO 8601 date-time");
      const count = f.count("count", true);
      r.errors.push(...f.errors.map((e) => `failing: ${e}`));
      failing = { since, count, answer: checkAnswer(r, (record.failing as Record<string, unknown>).answer, "failing.answer") };
    }
  }
  const value: StatusRecord = { url, hash_url, ...entry, history, ...(failing ? { failing } : {}) };
  return r.errors.length > 0 ? { ok: false, errors: r.errors } : { ok: true, value };
}

/** cache/_checks.json. */
export function checkCheckLog(data: unknown): Checked<CheckLog> {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return { ok: false, errors: ["not a JSON object"] };
  const log = data as Record<string, unknown>;
  const r = new FieldReader(log);
  if (log.format !== 1) r.errors.push('"format" must be 1');
  const slices = r.count("slices", true);
  if (slices < 1 || slices > 256) r.errors.push('"slices" must be 1 to 256');
  const sliceRecords: SliceRecord[] = [];
  const runs: CheckRunRecord[] = [];
  const list = (key: string, max: number): Record<string, unknown>[] => {
    const v = log[key];
    if (!Array.isArray(v) || v.length > max || v.some((item) => typeof item !== "object" || item === null || Array.isArray(item))) {
      r.errors.push(`"${key}" must be a list of at most ${max} objects`);
      return [];
    }
    return v as Record<string, unknown>[];
  };
  for (const [i, item] of list("slice_records", 256).entries()) {
    const f = new FieldReader(item);
    const record: SliceRecord = { slice: f.count("slice", true), checked_at: f.string("checked_at", isDate, "an ISO 8601 date-time"), links: f.count("links", true) };
    const resume = f.optionalString("resume_after", (v) => HASH.test(v), "32 lower-case hex digits");
    if (resume) record.resume_after = resume;
    r.errors.push(...f.errors.map((e) => `slice_records[${i}]: ${e}`));
    sliceRecords.push(record);
  }
  for (const [i, item] of list("runs", CHECK_RUNS_KEPT).entries()) {
    const f = new FieldReader(item);
    const counts: CheckRunRecord["counts"] = {};
    const rawCounts = item.counts;
    if (typeof rawCounts !== "object" || rawCounts === null || Array.isArray(rawCounts)) f.errors.push('"counts" must be an object');
    else {
      for (const [name, n] of Object.entries(rawCounts)) {
        if (!(STATUSES as string[]).includes(name) || typeof n !== "number" || !Number.isInteger(n) || n < 0) f.errors.push(`"counts" has a bad entry "${name}"`);
        else counts[name as keyof CheckRunRecord["counts"]] = n;
      }
    }
    runs.push({
      started_at: f.string("started_at", isDate, "an ISO 8601 date-time"),
      finished_at: f.string("finished_at", isDate, "an ISO 8601 date-time"),
      slice: f.count("slice", true),
      slices: f.count("slices", true),
      checked: f.count("checked", true),
      counts,
      pending: f.count("pending", false),
      new_versions: f.count("new_versions", false),
      requests: f.count("requests", false),
      bytes: f.count("bytes", false),
    });
    r.errors.push(...f.errors.map((e) => `runs[${i}]: ${e}`));
  }
  const value: CheckLog = { format: 1, slices, slice_records: sliceRecords, runs };
  return r.errors.length > 0 ? { ok: false, errors: r.errors } : { ok: true, value };
}
