/**
 * The commit message of an archive run, from the JSON that `npm run archive -- --summary FILE` writes:
 * "archive: 3 captured, 1 failed", then the failed links, then "[skip ci]"; with a link check's summary (npm run
 * check -- --summary FILE) also "; check: 1 gone, 2 new versions" and the links whose status changed. Pure, but for
 * reading the summary files.
 */
import { readFile } from "node:fs/promises";
import type { CheckSummary } from "../archive/check/run.ts";
import type { RunSummary } from "../archive/run.ts";
import { publicReason, statusIn } from "../cache/reasons.ts";
import { ORIGINAL_STATUSES, type OriginalStatus } from "../cache/types.ts";

/** What `--summary FILE` writes: the run summary without the per-link results. */
export type ArchiveSummary = Omit<RunSummary, "results">;

export interface MessageOptions {
  /** "2/4" for a backfill shard, so the history tells which job committed what. */
  shard?: string;
  /** Failed links listed in the body; the rest are counted. Git logs stay readable after a bad week. */
  maxFailuresListed?: number;
  /** The summary of a link check committed in the same commit. */
  check?: Partial<CheckSummary>;
}

/**
 * The guard against a commit-back that triggers its own workflow. Pushes made with GITHUB_TOKEN already start no
 * workflow run (https://docs.github.com/actions/using-workflows/triggering-a-workflow#triggering-a-workflow-from-a-workflow);
 * this covers a repository that swaps in a personal access token to push.
 * https://docs.github.com/actions/managing-workflow-runs/skipping-workflow-runs
 */
export const SKIP_CI = "[skip ci]";

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Text from a stranger's server or a links file, flattened to one line without control characters. */
function oneLine(text: string, max = 300): string {
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The subject alone: "archive: 3 captured, 1 failed" (always the captured count; the others when not zero). */
export function commitSubject(summary: Partial<ArchiveSummary> | undefined, options: MessageOptions = {}): string {
  const prefix = options.shard ? `archive (shard ${options.shard})` : "archive";
  if (!summary) return `${prefix}: update captures`;
  const parts = [`${summary.captured ?? 0} captured`];
  if (summary.unchanged) parts.push(`${summary.unchanged} unchanged`);
  if (summary.failed) parts.push(`${summary.failed} failed`);
  if (summary.deferred) parts.push(`${summary.deferred} left for the next run`);
  const bad = summary.badLines?.length ?? 0;
  if (bad) parts.push(plural(bad, "bad line"));
  const check = checkNews(options.check);
  return `${prefix}: ${parts.join(", ")}${check.length ? `; check: ${check.join(", ")}` : ""}`;
}

/** What a link check found worth a line in git: statuses that changed (not a first sight) and new versions. */
const NEWS_STATUSES = ["gone", "moved", "unreachable", "changed", "alive"] as const;

function transitions(check: Partial<CheckSummary> | undefined): Array<{ url: string; line: unknown; was: string; now: string }> {
  const reports = Array.isArray(check?.reports) ? check.reports : [];
  return reports
    // Only known words: the summary comes from the job that parsed strangers' pages.
    .filter((r) => ORIGINAL_STATUSES.includes(r?.was as OriginalStatus) && r.was !== "unknown" && r.was !== r.status && (NEWS_STATUSES as readonly string[]).includes(String(r.status)))
    .map((r) => ({ url: plainUrl(r.link?.url), line: r.link?.line, was: String(r.was), now: String(r.status) }));
}

function checkNews(check: Partial<CheckSummary> | undefined): string[] {
  if (!check) return [];
  const counts = new Map<string, number>();
  for (const t of transitions(check)) counts.set(t.now, (counts.get(t.now) ?? 0) + 1);
  const parts = NEWS_STATUSES.filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${s === "alive" ? "back" : s}`);
  const versions = Number.isInteger(check.newVersions) ? (check.newVersions as number) : 0;
  if (versions > 0) parts.push(plural(versions, "new version"));
  return parts;
}

/**
 * The message the bot pushes. The summary comes from the job that parsed strangers' pages, so nothing in it is taken
 * as text: a failure shows its URL only if it is a plain http(s) URL, its code only if it is one, and the code's fixed
 * sentence (cache/reasons.ts), never a message a server could have chosen ("Fixes #1" would close an issue).
 */
export function commitMessage(summary: Partial<ArchiveSummary> | undefined, options: MessageOptions = {}): string {
  const max = options.maxFailuresListed ?? 20;
  const lines = [commitSubject(summary, options), ""];
  const failures = Array.isArray(summary?.failures) ? summary.failures : [];
  if (failures.length) {
    lines.push("Failed (recorded in cache/_failures/; the next run tries them again):");
    for (const f of failures.slice(0, max)) {
      const code = typeof f?.code === "string" && /^ARCHIVE_[A-Z_]{1,40}$/.test(f.code) ? f.code : "ARCHIVE_INTERNAL";
      const status = statusIn(String(f?.publicReason ?? f?.reason ?? ""));
      const line = Number.isInteger(f?.link?.line) ? ` (line ${f.link.line})` : "";
      const kept = f?.keptPrevious === true ? " (kept the previous capture)" : "";
      lines.push(`- ${plainUrl(f?.link?.url)}${line}: ${code}: ${publicReason(code, status)}${kept}`);
    }
    if (failures.length > max) lines.push(`- … and ${failures.length - max} more`);
    lines.push("");
  }
  const badLines = Array.isArray(summary?.badLines) ? summary.badLines : [];
  if (badLines.length) {
    lines.push("Lines of links.txt that are not usable links (the run's log says why):");
    lines.push(`- line${badLines.length === 1 ? "" : "s"} ${badLines.slice(0, max).map((p) => (Number.isInteger(p?.line) ? p.line : "?")).join(", ")}${badLines.length > max ? `, and ${badLines.length - max} more` : ""}`);
    lines.push("");
  }
  const changed = transitions(options.check);
  if (changed.length) {
    lines.push("Originals whose status changed (cache/_status/):");
    for (const t of changed.slice(0, max)) lines.push(`- ${t.url}${Number.isInteger(t.line) ? ` (line ${t.line})` : ""}: ${t.was} → ${t.now}`);
    if (changed.length > max) lines.push(`- … and ${changed.length - max} more`);
    lines.push("");
  }
  lines.push(SKIP_CI);
  return `${lines.join("\n")}\n`;
}

/** A failed link's URL as it may appear in a commit: an http(s) URL without spaces, cut to 300 characters. */
function plainUrl(value: unknown): string {
  if (typeof value !== "string" || value.length > 8192 || /[\s\u0000-\u001f\u007f]/.test(value) || !/^https?:\/\//i.test(value)) return "(a link)";
  return oneLine(value);
}

/** Reads a summary file; a missing or unreadable one gives undefined (the message then says "update captures"). */
export async function readSummary<T = ArchiveSummary>(file: string | undefined): Promise<T | undefined> {
  if (!file) return undefined;
  try {
    const value: unknown = JSON.parse(await readFile(file, "utf8"));
    return value && typeof value === "object" ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}
