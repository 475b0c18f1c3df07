/**
 * `npm run import`, the run: sources in (export files, feeds and sitemaps as files or URLs, folders of posts), new
 * lines of links.txt out. Each source is read (read.ts), its format detected from its content or forced, and parsed
 * (formats/) into entries; every entry of every source is planned against links.txt (plan.ts) and the new lines are
 * appended atomically (append.ts), under a comment naming where they came from, unless it is a dry run. A source or
 * an entry that cannot be read is reported (file and line, or entry) and the rest is imported. Side effects: network
 * requests only through the Fetcher it is given (the archiver's guarded one), and the links file. Bounded in bytes,
 * entries, pages and time (limits.ts).
 */
import path from "node:path";
import type { Fetcher } from "../archive/types.ts";
import { appendLines, readLinksBytes } from "./append.ts";
import { detectFormat, formatNamed } from "./formats/index.ts";
import { planImport, type ImportPlan } from "./plan.ts";
import { decodeSource, gunzipWithin, isFolder, listPostFiles, readSourceFile, SourceError } from "./read.ts";
import { EntryBudget, type FormatName, type ImportEntry, type ImportFormat, type ImportProblem, type ParseContext, type SourceText } from "./types.ts";

export interface ImportRequest {
  /** What the user named: files, folders or http(s) URLs, as given (relative paths resolve against cwd). */
  sources: string[];
  cwd: string;
  linksFile: string;
  /** Skip detection: read every source as this format. */
  format?: FormatName;
  dryRun: boolean;
  /** The blog's own addresses: links to them are not imported (feeds and sitemaps add their own). */
  siteUrls: string[];
  maxBytes: number;
  maxEntries: number;
  maxPages: number;
  timeLimitMs: number;
  /** The archiver's guarded fetcher, for sources given as URLs and sitemap pages; without one, URLs are refused. */
  fetcher?: Fetcher;
  now?: () => Date;
}

export interface SourceReport {
  /** As the user named it. */
  name: string;
  format?: string;
  entries: number;
  /** What was read, when it says more than the entries ("12 items", "3 sitemaps, 40 pages"). */
  read?: string;
  /** Why it could not be read at all. */
  error?: string;
}

export interface ImportSummary {
  sources: SourceReport[];
  plan: ImportPlan;
  /** The lines as appended (or as they would be, on a dry run), the comment line first. */
  written: string[];
  dryRun: boolean;
  /** Problems of sources and entries, in the order met: each names its file and line or entry. */
  problems: ImportProblem[];
}

const FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.5, */*;q=0.3";
const JSON_START = /^\s*[[{]/;

function sniff(text: string, name: string): { head: string; json?: unknown; jsonError?: string } {
  const head = text.replace(/^\uFEFF/, "").slice(0, 8192).trimStart();
  if (!JSON_START.test(head)) return { head };
  try {
    return { head, json: JSON.parse(text.replace(/^\uFEFF/, "")) as unknown };
  } catch (error) {
    return { head, jsonError: `${name} looks like JSON but is not valid JSON: ${(error as Error).message}` };
  }
}

const isUrl = (source: string) => /^https?:\/\//i.test(source.trim());

export async function importLinks(request: ImportRequest): Promise<ImportSummary> {
  const signal = AbortSignal.timeout(request.timeLimitMs);
  const budget = new EntryBudget(request.maxEntries);
  const problems: ImportProblem[] = [];
  const reports: SourceReport[] = [];
  const entries: ImportEntry[] = [];
  const ownHosts = new Set<string>();
  for (const site of request.siteUrls) {
    try {
      ownHosts.add(new URL(site).hostname);
    } catch {
      // checked by the command's options
    }
  }
  const forced = request.format ? formatNamed(request.format) : undefined;

  const fetchText = request.fetcher
    ? async (url: string, accept: string): Promise<SourceText> => {
        const response = await request.fetcher!.fetch(url, { accept, maxBytes: request.maxBytes, signal });
        const body = gunzipWithin(response.body, request.maxBytes, url);
        return { name: url, text: decodeSource(body, response.charset), url: response.finalUrl };
      }
    : undefined;
  const context: ParseContext = { entries: budget, signal, maxPages: request.maxPages, ...(fetchText ? { fetchText } : {}) };

  /** Parses one text with the forced, the preferred or the detected format; returns its report. */
  const parseOne = async (source: SourceText, preferred?: ImportFormat): Promise<SourceReport> => {
    const sniffed = sniff(source.text, source.name);
    const format = forced ?? preferred ?? detectFormat({ head: sniffed.head, json: sniffed.json, name: source.name });
    if (!format) {
      return { name: source.name, entries: 0, error: sniffed.jsonError ?? `${source.name} is in no format the importer knows; name one with --format` };
    }
    const jsonFormat = ["pinboard", "wallabag", "omnivore", "karakeep", "linkwarden"].includes(format.name);
    if (jsonFormat && sniffed.json === undefined) {
      return { name: source.name, format: format.label, entries: 0, error: sniffed.jsonError ?? `${source.name} is not JSON, so it is not a ${format.label}` };
    }
    try {
      const result = await format.parse(source, context, sniffed.json);
      entries.push(...result.entries);
      problems.push(...result.problems);
      for (const host of result.ownHosts ?? []) ownHosts.add(host);
      return { name: source.name, format: format.label, entries: result.entries.length, ...(result.read ? { read: result.read } : {}) };
    } catch (error) {
      // A reader that throws is a bug or a shape it did not expect (a JSON field of another type): name the source.
      return { name: source.name, format: format.label, entries: 0, error: `${source.name} could not be read as a ${format.label}: ${(error as Error).message}` };
    }
  };

  for (const given of request.sources) {
    if (signal.aborted) {
      reports.push({ name: given, entries: 0, error: `${given} was not read: the import's time limit ran out` });
      continue;
    }
    let report: SourceReport;
    try {
      if (isUrl(given)) {
        if (!fetchText) throw new SourceError(`${given} is a URL, but this run may not fetch`);
        report = await parseOne(await fetchText(given.trim(), FEED_ACCEPT));
        report.name = given;
      } else {
        const file = path.resolve(request.cwd, given);
        if (await isFolder(file)) {
          report = await importFolder(given, file, request, parseOne, signal, (problem) => problems.push(problem));
        } else {
          const bytes = gunzipWithin(await readSourceFile(file, request.maxBytes), request.maxBytes, given);
          report = await parseOne({ name: given, text: decodeSource(bytes) });
        }
      }
    } catch (error) {
      report = { name: given, entries: 0, error: error instanceof SourceError ? error.message : `${given} could not be read: ${(error as Error).message}` };
    }
    reports.push(report);
    if (report.error) problems.push({ where: given, reason: report.error.startsWith(given) ? report.error.slice(given.length).trim() : report.error });
  }
  if (budget.exhausted) {
    problems.push({ where: "import", reason: `more than ${request.maxEntries} entries: the first ${request.maxEntries} were read, the rest were not (raise --max-entries)` });
  }
  if (signal.aborted) problems.push({ where: "import", reason: `the time limit of ${Math.round(request.timeLimitMs / 1000)} s ran out; what was read by then is imported` });

  const original = await readLinksBytes(request.linksFile);
  const linksName = path.basename(request.linksFile);
  const plan = planImport(original.toString("utf8"), entries, { linksName, ownHosts });
  problems.push(...plan.problems);
  const written: string[] = [];
  if (plan.lines.length > 0) {
    const date = (request.now?.() ?? new Date()).toISOString().slice(0, 10);
    const names = reports.filter((r) => r.entries > 0).map((r) => r.name);
    const from = names.length > 3 ? `${names.slice(0, 3).join(", ")} and ${names.length - 3} more` : names.join(", ");
    // A comment: links.txt's grammar skips it, and it tells the owner where a block of lines came from.
    written.push(`# ${plan.lines.length} imported from ${from.replace(/[\r\n]+/g, " ")} on ${date} (npm run import)`, ...plan.lines.map((line) => line.text));
    if (!request.dryRun) await appendLines(request.linksFile, original, written);
  }
  return { sources: reports, plan, written, dryRun: request.dryRun, problems };
}

/**
 * A folder of posts: every Markdown and HTML file under it, each read as a post by its extension (whatever its first
 * lines look like) and named by its path. A file that cannot be read is a problem of its own; the others are read.
 */
async function importFolder(
  given: string,
  folder: string,
  request: ImportRequest,
  parseOne: (source: SourceText, preferred?: ImportFormat) => Promise<SourceReport>,
  signal: AbortSignal,
  problem: (problem: ImportProblem) => void,
): Promise<SourceReport> {
  const files = await listPostFiles(folder);
  let count = 0;
  let read = 0;
  for (const file of files) {
    if (signal.aborted) break;
    const name = path.join(given, path.relative(folder, file));
    try {
      const bytes = await readSourceFile(file, request.maxBytes);
      const report = await parseOne({ name, text: decodeSource(bytes) }, formatNamed(/\.(md|markdown|mdx)$/i.test(file) ? "markdown" : "html"));
      if (report.error) problem({ where: name, reason: report.error.startsWith(name) ? report.error.slice(name.length).trim() : report.error });
      count += report.entries;
      read++;
    } catch (error) {
      problem({ where: name, reason: (error as Error).message });
    }
  }
  return { name: given, format: "folder of posts", entries: count, read: `${read} ${read === 1 ? "post" : "posts"}` };
}
