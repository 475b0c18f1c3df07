/**
 * Reads cache/ into the data the templates paginate over. Input: the cache folder. Output: valid captures (newest
 * first, WITHOUT their HTML: bodies are read one at a time while their page renders, so 10,000 captures do not sit in
 * memory), captures grouped by site, failure records, and a problem per folder or record that was left out.
 * Never throws for one bad capture: it is reported and the rest of the site builds.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { readFileSync } from "node:fs";
import path from "node:path";
import { domainToUnicode } from "node:url";
import matter from "gray-matter";
import { parse as parseYaml } from "yaml";
import { CAPTURE_KEY as HASH } from "../archive/links.ts";
import type { CaptureMeta, FailureRecord } from "../archive/types.ts";
import { checkCaptureMeta, checkFailureRecord, SERVABLE_EXTENSIONS } from "../cache/schema.ts";

/** Images the archiver stores beside index.html (images.ts names them by content hash). */
const CAPTURE_IMAGE = /^[0-9a-f]{32}\.(webp|avif)$/;
const FAILURES_DIR = "_failures";
const WORDS_PER_MINUTE = 230;

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
  failures: Failure[];
  problems: ArchiveProblem[];
}

/**
 * gray-matter evaluates `---js` front matter with eval(): a capture must never reach that path. Only YAML is
 * accepted, parsed by `yaml` with the core schema (dates stay strings, no custom tags).
 */
const refuse = (): never => {
  throw new Error("front matter must be YAML");
};
const MATTER_OPTIONS = {
  engines: { yaml: (text: string) => (parseYaml(text, { schema: "core" }) ?? {}) as object, js: refuse, javascript: refuse, json: refuse, coffee: refuse },
};

/** Front matter and body of a capture file. Passing options also keeps gray-matter from caching every file it reads. */
export function parseCaptureFile(text: string): { data: unknown; body: string } {
  if (!/^---[ \t]*\r?\n/.test(text)) throw new Error("index.html does not begin with YAML front matter (---)");
  const file = matter(text, MATTER_OPTIONS);
  return { data: file.data, body: file.content };
}

/**
 * The body of a capture file whose front matter was already checked when the archive loaded, split exactly where
 * gray-matter splits it (after the first "\n---" past the opening line) without parsing the YAML a second time: at
 * 10,000 pages that parse was the costliest filter of the build.
 */
export function captureBodyOf(text: string): string {
  const close = text.indexOf("\n---", 3);
  if (close < 0) return "";
  let body = text.slice(close + 4);
  if (body[0] === "\r") body = body.slice(1);
  if (body[0] === "\n") body = body.slice(1);
  return body;
}

/** The sanitized HTML of one capture, read when its page renders. */
export function readCaptureBody(capture: Pick<Capture, "folder">): string {
  return captureBodyOf(readFileSync(path.join(capture.folder, "index.html"), "utf8"));
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

async function loadCapture(cacheDir: string, name: string, where: string): Promise<Capture | ArchiveProblem> {
  const folder = path.join(cacheDir, name);
  let text: string;
  try {
    text = await readFile(path.join(folder, "index.html"), "utf8");
  } catch (error) {
    return { where, reason: `index.html could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
  let data: unknown;
  try {
    data = parseCaptureFile(text).data;
  } catch (error) {
    return { where, reason: `front matter could not be parsed: ${(error as Error).message.split("\n")[0]}` };
  }
  const checked = checkCaptureMeta(data, name);
  if (!checked.ok) return { where, reason: checked.errors.join("; ") };
  const meta = checked.value;
  const files = await readdir(folder);
  const assets = files.filter((file) => CAPTURE_IMAGE.test(file));
  let stored: Capture["stored"];
  if (meta.kind === "pdf" || meta.kind === "image") {
    const name = meta.file ?? "";
    const extension = name.split(".").pop()?.toLowerCase() ?? "";
    if (!files.includes(name) || !SERVABLE_EXTENSIONS[meta.kind].includes(extension)) {
      return { where, reason: `"file" ${name} is not in the capture folder` };
    }
    const full = path.join(folder, name);
    stored = { name, bytes: (await stat(full)).size, ...(meta.kind === "image" ? await imageSize(full) : {}) };
    if (!assets.includes(name)) assets.push(name);
  }
  const { domain, slug } = domainOf(meta.url);
  const reads = meta.kind === "article" || meta.kind === "page" || meta.kind === "text";
  return {
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
    stored,
  };
}

async function loadFailures(cacheDir: string, label: string): Promise<{ failures: FailureRecord[]; problems: ArchiveProblem[] }> {
  const dir = path.join(cacheDir, FAILURES_DIR);
  const failures: FailureRecord[] = [];
  const problems: ArchiveProblem[] = [];
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith(".json")).sort();
  } catch {
    return { failures, problems };
  }
  for (const name of names) {
    const where = `${label}/${FAILURES_DIR}/${name}`;
    try {
      const checked = checkFailureRecord(JSON.parse(await readFile(path.join(dir, name), "utf8")));
      if (checked.ok) failures.push(checked.value);
      else problems.push({ where, reason: checked.errors.join("; ") });
    } catch (error) {
      problems.push({ where, reason: `could not be read: ${(error as Error).message}` });
    }
  }
  return { failures, problems };
}

/** Newest first; ties broken by hash so two builds of the same cache are identical. */
function newestFirst(a: { archived_at: string; hash_url: string }, b: { archived_at: string; hash_url: string }): number {
  return Date.parse(b.archived_at) - Date.parse(a.archived_at) || a.hash_url.localeCompare(b.hash_url);
}

export async function loadArchive(cacheDir: string): Promise<Archive> {
  const label = path.basename(path.resolve(cacheDir));
  let names: string[];
  try {
    names = (await readdir(cacheDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") names = [];
    else throw new Error(`Could not read the cache folder ${cacheDir}: ${(error as Error).message}`, { cause: error });
  }
  const captures: Capture[] = [];
  const problems: ArchiveProblem[] = [];
  // "." and "_" folders are the archiver's work folders and failure records, never captures.
  const candidates = names.filter((name) => !name.startsWith(".") && !name.startsWith("_")).sort();
  const loaded = await Promise.all(
    candidates.map((name) =>
      HASH.test(name)
        ? loadCapture(cacheDir, name, `${label}/${name}`)
        : Promise.resolve<ArchiveProblem>({ where: `${label}/${name}`, reason: "folder name is not an md5 hash_url" }),
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

  const captured = new Set(captures.map((c) => c.hash_url));
  const { failures: records, problems: failureProblems } = await loadFailures(cacheDir, label);
  const failures = records
    .map((record): Failure => (captured.has(record.hash_url) ? { ...record, mirrorPath: `/${record.hash_url}/` } : record))
    .sort((a, b) => Date.parse(b.last_failed_at) - Date.parse(a.last_failed_at) || a.url.localeCompare(b.url));
  return { captures, sites, failures, problems: [...problems, ...failureProblems] };
}
