/**
 * Reads cache/ into the data the templates paginate over. Input: the cache folder, and the annotations of links.txt
 * (src/links/annotations.ts: each URL's note and tags, read at build time so editing a tag needs no re-capture).
 * Output: valid captures (newest first, WITHOUT their HTML: bodies are read one at a time while their page renders,
 * so 10,000 captures do not sit in memory), captures grouped by site and by tag, failure records, and a problem per
 * folder or record that was left out. Never throws for one bad capture: it is reported and the rest of the site builds.
 */
import { stat } from "node:fs/promises";
import { readFileSync } from "node:fs";
import path from "node:path";
import { domainToUnicode } from "node:url";
import { captureBodyOf } from "../cache/capture-file.ts";
import { describeKind } from "../cache/files.ts";
import { readFailures } from "../cache/failures.ts";
import { publicReason, statusIn } from "../cache/reasons.ts";
import { CAPTURE_KEY as HASH, FAILURES_DIR, IMAGE_FILE, SERVABLE_EXTENSIONS, versionStamp } from "../cache/layout.ts";
import { readCapture } from "../cache/store.ts";
import { listEntries } from "../cache/files.ts";
import { readCheckLog, readStatuses } from "../cache/status.ts";
import { readVersion, versionStampsOf } from "../cache/versions.ts";
import { STATUS_DIR, shardOf } from "../cache/layout.ts";
import type { CaptureMeta, CheckLog, FailureRecord, OriginalStatus, StatusRecord } from "../cache/types.ts";
import type { Annotation } from "../links/line.ts";
import { WORDS_PER_MINUTE } from "./limits.ts";

export interface Capture extends CaptureMeta {
  /** Absolute path of cache/<hash_url>/. */
  folder: string;
  /** Site-relative path of the mirror page, without the prefix: "/<hash_url>/". */
  path: string;
  /** Host name without "www.", for display and the per-site page. */
  domain: string;
  /** The per-site page's folder name (ASCII host, safe in a URL). */
  siteSlug: string;
  /** Minutes to read, 0 when it makes no sense (pdf, image, no words). */
  readingMinutes: number;
  /** Files served beside the mirror page (images, the pdf or image file), by bare name. */
  assets: string[];
  /** For pdf and image captures. */
  stored?: { name: string; bytes: number; width?: number; height?: number };
  /** YYYYMMDDhhmmss of archived_at: the current version's permanent address is /<hash_url>/<version>/. */
  version: string;
  /** Site-relative path of that address, without the prefix. */
  versionPath: string;
  /** From the URL's line in links.txt (`# note #tag`): never part of the capture, so editing them needs no re-capture. */
  tags: string[];
  note?: string;
  /**
   * What the link watch (npm run check) knows of the original, from its status record (cache/_status/): unknown (never
   * checked), alive, changed, moved, gone or unreachable. mirror.js reads it from the lookup files.
   */
  originalStatus: OriginalStatus;
  /** Since when it has been so (the transition), when known. */
  statusSince?: string;
  /** The public sentence of what it answered then (reasons.ts), when known. */
  statusReason?: string;
  /** For moved: where it redirects now. */
  movedTo?: string;
  /** The last check of the link's slice that found it alive (the check log), when it is alive. */
  lastSeenAlive?: string;
  /** Earlier versions, oldest first (cache/<hash>/<YYYYMMDDhhmmss>.html), each with its own page. */
  versions: VersionPage[];
  /** A page per change: between each version and the next, the current one last. */
  changes: ChangePage[];
  /** Which page of the capture this is: its current version (the mirror page) or an earlier one. */
  pageKind: "current" | "version";
  /** Site-relative path of this page. */
  pagePath: string;
  /** The file whose body this page shows (index.html, or a version file). */
  bodyFile: string;
  /** The TimeMap of the URL (RFC 7089), /<hash_url>/timemap.link. */
  timemapPath: string;
}

/** An earlier version, shown as a capture page of its own at /<hash_url>/<YYYYMMDDhhmmss>/. */
export interface VersionPage extends Omit<Capture, "versions" | "changes" | "pageKind"> {
  pageKind: "version";
  /** The current version, which this page points to. */
  current: Capture;
  /** The change page from this version to the next, and from the one before to this (none for the first). */
  changeAfter: ChangePage;
  changeBefore?: ChangePage;
}

/** What changed between two consecutive versions: /<hash_url>/changes/<YYYYMMDDhhmmss of the newer>/. */
export interface ChangePage {
  pageKind: "change";
  pagePath: string;
  /** The capture folder both versions' files are in. */
  folder: string;
  /** The capture's site page and name, for the page's header. */
  siteSlug: string;
  siteName: string;
  hash_url: string;
  title: string;
  url: string;
  lang?: string | undefined;
  dir?: "ltr" | "rtl" | undefined;
  from: { version: string; archived_at: string; path: string; bodyFile: string };
  to: { version: string; archived_at: string; path: string; bodyFile: string };
}

export interface TagGroup {
  tag: string;
  captures: Capture[];
}

export interface SiteGroup {
  slug: string;
  domain: string;
  captures: Capture[];
}

export interface Failure extends FailureRecord {
  /** A previous capture is still shown: link to it. */
  mirrorPath?: string;
}

/** A capture folder or failure record left out of the site, and why. */
export interface ArchiveProblem {
  /** Relative to the cache folder's parent, e.g. "cache/ab12…" or "cache/_failures/ab12….json". */
  where: string;
  reason: string;
}

export interface Archive {
  captures: Capture[];
  sites: SiteGroup[];
  /** Every tag some capture carries, by name, each with its captures newest first. */
  tags: TagGroup[];
  failures: Failure[];
  /** Captures whose original is gone, moved or unreachable, the latest first. */
  gone: Capture[];
  problems: ArchiveProblem[];
}

/** The sanitized HTML of one capture page (the current version or an earlier one), read when its page renders. */
export function readCaptureBody(capture: Pick<Capture, "folder"> & { bodyFile?: string }): string {
  return captureBodyOf(readFileSync(path.join(capture.folder, capture.bodyFile ?? "index.html"), "utf8"));
}

export function domainOf(url: string): { domain: string; slug: string } {
  const host = new URL(url).hostname.toLowerCase().replace(/^www\./, "");
  const slug = host.replace(/[^a-z0-9.-]/g, "-").replace(/^\.+/, "") || "unknown";
  return { domain: domainToUnicode(host) || host, slug };
}

async function imageSize(file: string): Promise<{ width?: number; height?: number }> {
  try {
    // Loaded lazily: only image captures need it, and sharp reads just the header here.
    const { default: sharp } = await import("sharp");
    const { width, height } = await sharp(file).metadata();
    return { width, height };
  } catch {
    return {};
  }
}

async function loadCapture(cacheDir: string, name: string, where: string, annotations: ReadonlyMap<string, Annotation>): Promise<Capture | ArchiveProblem> {
  const stored = await readCapture(cacheDir, name);
  if (!stored.ok) return { where, reason: stored.reason };
  const { meta, folder, files } = stored;
  const regular = new Set(files.filter((file) => file.kind === "file").map((file) => file.name));
  // Only regular files are served: a link committed among the images would publish whatever it points at.
  const assets = [...regular].filter((file) => IMAGE_FILE.test(file));
  let storedFile: Capture["stored"];
  if (meta.kind === "pdf" || meta.kind === "image") {
    const name = meta.file ?? "";
    const extension = name.split(".").pop()?.toLowerCase() ?? "";
    const entry = files.find((file) => file.name === name);
    if (entry && entry.kind !== "file") return { where, reason: `"file" ${name} is ${describeKind(entry.kind)}; it is not served` };
    if (!regular.has(name) || !SERVABLE_EXTENSIONS[meta.kind].includes(extension)) {
      return { where, reason: `"file" ${name} is not in the capture folder` };
    }
    const full = path.join(folder, name);
    storedFile = { name, bytes: (await stat(full)).size, ...(meta.kind === "image" ? await imageSize(full) : {}) };
    if (!assets.includes(name)) assets.push(name);
  }
  const { domain, slug } = domainOf(meta.url);
  const reads = meta.kind === "article" || meta.kind === "page" || meta.kind === "text";
  const version = versionStamp(meta.archived_at);
  const annotation = annotations.get(meta.url);
  const earlier: CaptureMeta[] = [];
  for (const stamp of versionStampsOf(files)) {
    const read = await readVersion(cacheDir, name, stamp);
    // A version that cannot be read is left out of the site (verify names it); the capture still shows.
    if (read.ok && stamp < version) earlier.push(read.meta);
  }
  const capture: Capture = {
    ...meta,
    // Shown in <html lang>: only a well-formed tag, else the site's language applies.
    lang: meta.lang && /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(meta.lang) ? meta.lang : undefined,
    title: meta.title.trim() || meta.url,
    folder,
    path: `/${meta.hash_url}/`,
    domain,
    siteSlug: slug,
    readingMinutes: reads && meta.word_count > 0 ? Math.max(1, Math.round(meta.word_count / WORDS_PER_MINUTE)) : 0,
    assets,
    stored: storedFile,
    version,
    versionPath: `/${meta.hash_url}/${version}/`,
    tags: annotation ? [...annotation.tags] : [],
    ...(annotation?.note ? { note: annotation.note } : {}),
    originalStatus: "unknown",
    versions: [],
    changes: [],
    pageKind: "current",
    pagePath: `/${meta.hash_url}/`,
    bodyFile: "index.html",
    timemapPath: `/${meta.hash_url}/timemap.link`,
  };
  addVersions(capture, earlier, reads);
  return capture;
}

/** The earlier versions' pages and the change pages between consecutive versions, the current one last. */
function addVersions(capture: Capture, earlier: CaptureMeta[], reads: boolean): void {
  const side = (meta: CaptureMeta, bodyFile: string) => ({ version: versionStamp(meta.archived_at), archived_at: meta.archived_at, path: `/${meta.hash_url}/${versionStamp(meta.archived_at)}/`, bodyFile });
  const chain = [...earlier.map((meta) => side(meta, `${versionStamp(meta.archived_at)}.html`)), side(capture, "index.html")];
  const changes: ChangePage[] = [];
  for (let i = 1; i < chain.length; i++) {
    changes.push({ pageKind: "change", pagePath: `/${capture.hash_url}/changes/${chain[i]!.version}/`, folder: capture.folder, siteSlug: capture.siteSlug, siteName: capture.site_name ?? capture.domain, hash_url: capture.hash_url, title: capture.title, url: capture.url, lang: capture.lang, dir: capture.dir, from: chain[i - 1]!, to: chain[i]! });
  }
  capture.changes = changes;
  capture.versions = earlier.map((meta, i): VersionPage => {
    const stamp = versionStamp(meta.archived_at);
    return {
      ...capture,
      ...meta,
      lang: meta.lang && /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(meta.lang) ? meta.lang : undefined,
      title: meta.title.trim() || meta.url,
      readingMinutes: reads && meta.word_count > 0 ? Math.max(1, Math.round(meta.word_count / WORDS_PER_MINUTE)) : 0,
      version: stamp,
      versionPath: `/${meta.hash_url}/${stamp}/`,
      pageKind: "version",
      pagePath: `/${meta.hash_url}/${stamp}/`,
      bodyFile: `${stamp}.html`,
      current: capture,
      changeAfter: changes[i]!,
      ...(i > 0 ? { changeBefore: changes[i - 1]! } : {}),
    };
  });
}

/** What the status record (and the check log) say of each capture's original. */
function applyStatuses(captures: Capture[], records: ReadonlyMap<string, StatusRecord>, log: CheckLog): void {
  const checked = new Map(log.slice_records.map((r) => [r.slice, r]));
  for (const capture of captures) {
    const record = records.get(capture.hash_url);
    if (!record || record.status === "unknown") continue;
    capture.originalStatus = record.status;
    capture.statusSince = record.since;
    // Shown on a public page: the code's fixed sentence, whatever the record says (as for failure records).
    if (record.answer.code) capture.statusReason = publicReason(record.answer.code, record.answer.http_status);
    if (record.moved_to) capture.movedTo = record.moved_to;
    const slice = checked.get(shardOf(capture.hash_url, log.slices));
    // "Last seen alive" is derived, never stored per link: the last check of its slice, when it found it alive.
    if (record.status === "alive" && slice && !record.failing && Date.parse(slice.checked_at) >= Date.parse(record.since) && (!slice.resume_after || capture.hash_url <= slice.resume_after)) {
      capture.lastSeenAlive = slice.checked_at;
    }
    for (const version of capture.versions) Object.assign(version, { originalStatus: capture.originalStatus, statusSince: capture.statusSince, statusReason: capture.statusReason, movedTo: capture.movedTo });
  }
}

async function loadFailures(cacheDir: string, label: string): Promise<{ failures: FailureRecord[]; problems: ArchiveProblem[] }> {
  const { failures, problems } = await readFailures(cacheDir);
  return {
    // Shown on a public page: the code's fixed sentence, whatever the record says (an older record may quote a server).
    failures: failures.map((record) => ({ ...record, reason: publicReason(record.code, statusIn(record.reason)) })),
    problems: problems.map((problem) => ({ where: `${label}/${FAILURES_DIR}/${problem.name}`, reason: problem.reason })),
  };
}

/** Newest first; ties broken by hash so two builds of the same cache are identical. */
function newestFirst(a: { archived_at: string; hash_url: string }, b: { archived_at: string; hash_url: string }): number {
  return Date.parse(b.archived_at) - Date.parse(a.archived_at) || a.hash_url.localeCompare(b.hash_url);
}

export interface LoadOptions {
  /** Each URL's note and tags, from links.txt (none by default). */
  annotations?: ReadonlyMap<string, Annotation>;
  /**
   * Captures a check before the build (verify) failed, by key, with why: left out of the site like any other capture
   * that cannot be used, and reported.
   */
  refused?: ReadonlyMap<string, string>;
}

export async function loadArchive(cacheDir: string, { annotations = new Map(), refused = new Map() }: LoadOptions = {}): Promise<Archive> {
  const label = path.basename(path.resolve(cacheDir));
  let entries: Awaited<ReturnType<typeof listEntries>>;
  try {
    entries = await listEntries(cacheDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") entries = [];
    else throw new Error(`Could not read the cache folder ${cacheDir}: ${(error as Error).message}`, { cause: error });
  }
  const captures: Capture[] = [];
  const problems: ArchiveProblem[] = [];
  // "." and "_" entries are the archiver's work folders and failure records, never captures; loose files (a README)
  // are not captures either. Anything else named like a capture must be a real folder: a link is named, not followed.
  const candidates = entries
    .filter((entry) => !entry.name.startsWith(".") && !entry.name.startsWith("_") && (entry.kind !== "file" || HASH.test(entry.name)))
    .sort((a, b) => a.name.localeCompare(b.name));
  const loaded = await Promise.all(
    candidates.map((entry) =>
      !HASH.test(entry.name)
        ? Promise.resolve<ArchiveProblem>({ where: `${label}/${entry.name}`, reason: entry.kind === "directory" ? "folder name is not an md5 hash_url" : `is ${describeKind(entry.kind)} named like no capture` })
        : entry.kind !== "directory"
          ? Promise.resolve<ArchiveProblem>({ where: `${label}/${entry.name}`, reason: `is ${describeKind(entry.kind)}, not a capture folder; it is not followed` })
          : refused.has(entry.name)
            ? Promise.resolve<ArchiveProblem>({ where: `${label}/${entry.name}`, reason: refused.get(entry.name)! })
            : loadCapture(cacheDir, entry.name, `${label}/${entry.name}`, annotations),
    ),
  );
  for (const item of loaded) {
    if ("reason" in item) problems.push(item);
    else captures.push(item);
  }
  captures.sort(newestFirst);

  const bySite = new Map<string, SiteGroup>();
  for (const capture of captures) {
    const group = bySite.get(capture.siteSlug) ?? { slug: capture.siteSlug, domain: capture.domain, captures: [] };
    group.captures.push(capture);
    bySite.set(capture.siteSlug, group);
  }
  const sites = [...bySite.values()].sort((a, b) => a.domain.localeCompare(b.domain));

  const byTag = new Map<string, Capture[]>();
  for (const capture of captures) {
    for (const tag of capture.tags) {
      const tagged = byTag.get(tag);
      if (tagged) tagged.push(capture);
      else byTag.set(tag, [capture]);
    }
  }
  const tags = [...byTag.entries()].map(([tag, tagged]) => ({ tag, captures: tagged })).sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));

  const captured = new Map(captures.map((c) => [c.hash_url, c]));
  const { failures: records, problems: failureProblems } = await loadFailures(cacheDir, label);
  const statuses = await readStatuses(cacheDir);
  applyStatuses(captures, statuses.records, await readCheckLog(cacheDir));
  const statusProblems = statuses.problems.map((problem) => ({ where: `${label}/${STATUS_DIR}/${problem.name}`, reason: problem.reason }));
  const failures = records
    .map((record): Failure => (captured.has(record.hash_url) ? { ...record, mirrorPath: `/${record.hash_url}/` } : record))
    .sort((a, b) => Date.parse(b.last_failed_at) - Date.parse(a.last_failed_at) || a.url.localeCompare(b.url));
  const gone = captures
    .filter((c) => c.originalStatus === "gone" || c.originalStatus === "moved" || c.originalStatus === "unreachable")
    .sort((a, b) => Date.parse(b.statusSince ?? "") - Date.parse(a.statusSince ?? "") || a.hash_url.localeCompare(b.hash_url));
  return { captures, sites, tags, failures, gone, problems: [...problems, ...failureProblems, ...statusProblems] };
}
