/**
 * `npm run check`: options → a check run over one slice of the captured links → what changed, printed, and the
 * summary. Exit codes: 0 the check ran, whatever it found (a dead link is news, not an error); 2 usage error.
 */
import { appendFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { checkHelpText, resolveCheckConfig, type ResolvedCheck } from "../archive/check/config.ts";
import { checkLinks, type CheckSummary, type LinkReport } from "../archive/check/run.ts";
import { ArchiveError } from "../archive/errors.ts";
import { readConfigFile } from "../util/config-file.ts";
import { UsageError } from "../util/options.ts";
import { processIo, type CommandIo } from "./run.ts";

function line(report: LinkReport): string {
  const change = report.was !== undefined ? `${report.was} → ${report.status}` : report.status;
  return `${report.link.url} (links.txt:${report.link.line}): ${change}${report.newVersion ? ", new version kept" : ""}: ${report.reason}`;
}

export function formatCheckSummary(summary: CheckSummary): string {
  const c = summary.counts;
  const parts = [`${c.alive} alive`, `${c.changed} changed`, `${c.moved} moved`, `${c.gone} gone`, `${c.unreachable} unreachable`];
  if (c.pending) parts.push(`${c.pending} not reached (not a verdict yet)`);
  if (c.deferred) parts.push(`${c.deferred} left for the next run`);
  return [
    `Checked ${summary.checked} of ${summary.captured} captured links (slice ${summary.slice} of ${summary.slices}${summary.resumeAfter ? ", to be continued" : ""}): ${parts.join(", ")}.`,
    `${summary.newVersions} new version${summary.newVersions === 1 ? "" : "s"} kept; ${summary.written} status record${summary.written === 1 ? "" : "s"} written; ${summary.requests} requests, ${summary.bytes} bytes read, ${(summary.durationMs / 1000).toFixed(1)} s.`,
  ].join("\n");
}

function markdown(summary: CheckSummary): string {
  const changed = summary.reports.filter((r) => r.was !== undefined || r.newVersion);
  const rows = changed.map((r) => `| ${r.link.line} | \`${r.link.hash}\` | ${r.was ?? r.status} → ${r.status}${r.newVersion ? " (new version)" : ""} | ${r.reason} |`);
  return [`### Link check, slice ${summary.slice} of ${summary.slices}`, "", formatCheckSummary(summary), "", ...(rows.length ? ["| line | link | status | why |", "| --- | --- | --- | --- |", ...rows, ""] : [])].join("\n");
}

export async function checkCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  let resolved: ResolvedCheck;
  try {
    resolved = resolveCheckConfig(argv, io.env, io.cwd, readConfigFile(path.join(io.cwd, "site.config.json")).check);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`check: ${error.message}\n`);
    return 2;
  }
  if (resolved.help) {
    io.stdout.write(`${checkHelpText()}\n`);
    return 0;
  }
  let summary: CheckSummary;
  try {
    summary = await checkLinks(resolved.config, {
      onLink: (report) => {
        if (resolved.progress === "lines" && (report.was !== undefined || report.newVersion)) io.stdout.write(`${line(report)}\n`);
      },
    });
  } catch (error) {
    if (error instanceof ArchiveError && error.code === "ARCHIVE_USAGE") {
      io.stderr.write(`check: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  io.stdout.write(`${formatCheckSummary(summary)}\n`);
  if (resolved.summaryFile) {
    const { reports, ...rest } = summary;
    const changes = reports.filter((r) => r.written || r.newVersion).map((r) => ({ url: r.link.url, hash_url: r.link.hash, line: r.link.line, status: r.status, was: r.was, new_version: r.newVersion, reason: r.reason }));
    await writeFile(resolved.summaryFile, `${JSON.stringify({ ...rest, changes }, null, 2)}\n`);
  }
  if (resolved.stepSummaryFile) await appendFile(resolved.stepSummaryFile, `${markdown(summary)}\n`);
  return 0;
}
