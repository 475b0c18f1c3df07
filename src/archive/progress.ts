/**
 * What a person sees during and after a run. On a terminal: one status line redrawn in place (a bar, counts and
 * the URL being fetched). In CI logs: one line per link. Always: a closing summary naming every failure and why.
 */
import type { Writable } from "node:stream";
import { formatProblem } from "./links.ts";
import type { CaptureResult, Link, ProgressMode } from "./types.ts";
import type { Reporter, RunSummary } from "./run.ts";

export function createReporter(mode: ProgressMode, out: Pick<Writable, "write"> & { columns?: number }, linksFileName = "links.txt"): Reporter {
  let total = 0;
  let done = 0;
  let failed = 0;
  const active = new Set<string>();
  const width = () => Math.max(40, Math.min(out.columns ?? 100, 160));

  const drawBar = () => {
    const barWidth = 20;
    const filled = total === 0 ? barWidth : Math.round((done / total) * barWidth);
    const current = [...active].at(-1) ?? "";
    const line = `[${"#".repeat(filled)}${"-".repeat(barWidth - filled)}] ${done}/${total}${failed ? ` (${failed} failed)` : ""} ${current}`;
    out.write(`\r\x1b[2K${line.slice(0, width() - 1)}`);
  };

  return {
    start({ total: all, toCapture }) {
      total = toCapture;
      if (mode === "quiet") return;
      const cached = all - toCapture;
      out.write(`Archiving ${toCapture} link${toCapture === 1 ? "" : "s"}${cached ? ` (${cached} already cached)` : ""}\n`);
      if (mode === "bar" && total > 0) drawBar();
    },
    linkStarted(link: Link) {
      active.add(link.url);
      if (mode === "bar") drawBar();
    },
    linkDone(result: CaptureResult) {
      active.delete(result.link.url);
      done += 1;
      if (result.outcome === "failed") failed += 1;
      if (mode === "lines") out.write(`${describe(result)}\n`);
      else if (mode === "bar") {
        // Failures are printed above the bar as they happen, so they are not lost when the bar is redrawn.
        if (result.outcome === "failed") out.write(`\r\x1b[2K${describe(result)}\n`);
        drawBar();
      }
    },
    finish(summary: RunSummary) {
      if (mode === "bar" && total > 0) out.write("\r\x1b[2K");
      out.write(formatSummary(summary, linksFileName));
    },
  };
}

function describe(result: CaptureResult): string {
  const where = `[${result.link.line}] ${result.link.url}`;
  switch (result.outcome) {
    case "captured":
      return `captured  ${where} (${result.kind})`;
    case "unchanged":
      return `unchanged ${where}`;
    case "skipped":
      return `cached    ${where}`;
    case "failed":
      return `FAILED    ${where}: ${result.reason}${result.keptPrevious ? " (previous capture kept)" : ""}`;
    case "deferred":
      return `deferred  ${where}: the run's time limit came first; the next run tries it`;
  }
}

export function formatSummary(summary: RunSummary, linksFileName = "links.txt"): string {
  const lines: string[] = [];
  const seconds = (summary.durationMs / 1000).toFixed(1);
  lines.push(
    `Done in ${seconds}s: ${summary.captured} captured, ${summary.unchanged} unchanged, ${summary.alreadyCached} already cached, ${summary.failed} failed` +
      (summary.deferred ? `, ${summary.deferred} left for the next run (the run's time limit came first)` : "") +
      (summary.badLines.length ? `, ${summary.badLines.length} bad line${summary.badLines.length === 1 ? "" : "s"}` : "") +
      (summary.duplicates ? ` (${summary.duplicates} duplicate line${summary.duplicates === 1 ? "" : "s"} ignored)` : "") +
      ".",
  );
  if (summary.badLines.length) {
    lines.push("", "Lines that are not usable URLs (fix or remove them):");
    for (const problem of summary.badLines) lines.push(`  ${formatProblem(linksFileName, problem)}`);
  }
  if (summary.failures.length) {
    lines.push("", "Failed (recorded in cache/_failures/; the next run tries them again):");
    for (const f of summary.failures) {
      lines.push(`  ${linksFileName}:${f.link.line}: ${f.link.url}`, `    ${f.code}: ${f.reason}${f.keptPrevious ? " (previous capture kept)" : ""}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The summary as Markdown, for $GITHUB_STEP_SUMMARY. URLs and line text are code spans (never live links or
 * markup); reasons are each code's fixed sentence, never a message a server could have chosen.
 */
export function formatMarkdownSummary(summary: RunSummary): string {
  const lines = [
    "### Archive run",
    "",
    "| captured | unchanged | already cached | failed | left for the next run | bad lines |",
    "| --- | --- | --- | --- | --- | --- |",
    `| ${summary.captured} | ${summary.unchanged} | ${summary.alreadyCached} | ${summary.failed} | ${summary.deferred} | ${summary.badLines.length} |`,
  ];
  if (summary.failures.length) {
    lines.push("", "| line | URL | reason |", "| --- | --- | --- |");
    for (const f of summary.failures) lines.push(`| ${f.link.line} | ${codeSpan(f.link.url)} | ${f.code}: ${f.publicReason ?? ""} |`);
  }
  if (summary.badLines.length) {
    lines.push("", "| line | text | problem |", "| --- | --- | --- |");
    for (const p of summary.badLines) lines.push(`| ${p.line} | ${codeSpan(p.text)} | ${codeSpan(p.reason)} |`);
  }
  return `${lines.join("\n")}\n`;
}

/** Text as an inline code span in a table cell: a fence longer than any backtick run inside, pipes escaped, one line. */
function codeSpan(text: string): string {
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, " ").slice(0, 300);
  const longest = Math.max(0, ...Array.from(flat.matchAll(/`+/g), (m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence} ${flat.replace(/\|/g, "\\|")} ${fence}`;
}
