/**
 * `npm run archive`: config → run → summary → exit code (0 all captured or cached, 1 some failed, 2 usage).
 */
import "../src/cli/require-node.ts";
import { appendFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { resolveConfig, helpText } from "../src/archive/config.ts";
import { ArchiveError } from "../src/archive/errors.ts";
import { isMain } from "../src/cli/is-main.ts";
import { createReporter, formatMarkdownSummary } from "../src/archive/progress.ts";
import { archiveLinks, exitCodeOf, type RunSummary } from "../src/archive/run.ts";

export async function main(argv: string[]): Promise<number> {
  let resolved;
  try {
    resolved = resolveConfig(argv, process.env, process.cwd(), Boolean(process.stderr.isTTY));
  } catch (error) {
    process.stderr.write(`archive: ${(error as Error).message}\n`);
    return 2;
  }
  if (resolved.help) {
    process.stdout.write(`${helpText()}\n`);
    return 0;
  }
  const { config } = resolved;
  // Progress goes to stderr when it is a live bar, so stdout stays clean for the summary.
  const reporter = createReporter(config.progress, config.progress === "bar" ? process.stderr : process.stdout, path.basename(config.linksFile));
  let summary: RunSummary;
  try {
    summary = await archiveLinks(config, { reporter });
  } catch (error) {
    if (error instanceof ArchiveError && error.code === "ARCHIVE_USAGE") {
      process.stderr.write(`archive: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (resolved.summaryFile) {
    const { results: _results, ...rest } = summary;
    await writeFile(resolved.summaryFile, `${JSON.stringify(rest, null, 2)}\n`);
  }
  if (process.env.GITHUB_STEP_SUMMARY) await appendFile(process.env.GITHUB_STEP_SUMMARY, formatMarkdownSummary(summary));
  return exitCodeOf(summary);
}

if (isMain(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`archive: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
