/**
 * `npm run archive`: options → run → summary → exit code (0 all captured or cached, 1 some failed, 2 usage).
 * Progress goes to stderr when it is a live bar, so stdout stays clean for the summary.
 */
import { appendFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { helpText, resolveConfig, type ResolvedCli } from "../archive/config.ts";
import { ArchiveError } from "../archive/errors.ts";
import { createReporter, formatMarkdownSummary } from "../archive/progress.ts";
import { archiveLinks, exitCodeOf, type RunSummary } from "../archive/run.ts";
import { readConfigFile } from "../util/config-file.ts";
import { UsageError } from "../util/options.ts";
import { processIo, type CommandIo } from "./run.ts";

/** The archive's options as this process would resolve them (site.config.json's "archive" section included). */
export function resolveArchiveOptions(argv: string[], io: CommandIo = processIo()): ResolvedCli {
  return resolveConfig(argv, io.env, io.cwd, Boolean(io.stderr.isTTY), readConfigFile(path.join(io.cwd, "site.config.json")).archive);
}

export async function archiveCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  let resolved: ResolvedCli;
  try {
    resolved = resolveArchiveOptions(argv, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`archive: ${error.message}\n`);
    return 2;
  }
  if (resolved.help) {
    io.stdout.write(`${helpText()}\n`);
    return 0;
  }
  const { config } = resolved;
  const reporter = createReporter(config.progress, config.progress === "bar" ? io.stderr : io.stdout, path.basename(config.linksFile));
  let summary: RunSummary;
  try {
    summary = await archiveLinks(config, { reporter });
  } catch (error) {
    if (error instanceof ArchiveError && error.code === "ARCHIVE_USAGE") {
      io.stderr.write(`archive: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (resolved.summaryFile) {
    const { results: _results, ...rest } = summary;
    await writeFile(resolved.summaryFile, `${JSON.stringify(rest, null, 2)}\n`);
  }
  if (resolved.stepSummaryFile) await appendFile(resolved.stepSummaryFile, formatMarkdownSummary(summary));
  return exitCodeOf(summary);
}
