/**
 * `npm start`: archive what is new in links.txt, then build the site from the same cache, then say where it is and how
 * to preview it. Offline or with broken links it still finishes: failures are reported and the site builds from what
 * is cached. Takes the archive's options (its --cache is what the build reads); the build's own settings come from
 * SITE_* variables and site.config.json. Exit codes: 0 the site was built (link failures are reported, not fatal
 * here); 1 the build failed; 2 usage or configuration error.
 */
import path from "node:path";
import { ARCHIVE_COMMAND } from "../archive/config.ts";
import { helpText, UsageError, type CommandSpec } from "../util/options.ts";
import { archiveCommand, resolveArchiveOptions } from "./archive.ts";
import { build, resolveBuildOptions } from "./build.ts";
import { processIo, type CommandIo } from "./run.ts";

export const START_COMMAND: CommandSpec = {
  ...ARCHIVE_COMMAND,
  name: "start",
  invocation: "npm start --",
  summary: "Archives every new URL of the links file, then builds the site from <cache> into _site/ (npm run build's defaults).",
  footer: ["Exit codes: 0 the site was built (failed links are reported and retried next run); 1 the build failed; 2 usage error."],
};

export async function startCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  let resolved;
  try {
    resolved = resolveArchiveOptions(argv, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`start: ${error.message}\n`);
    return 2;
  }
  if (resolved.help) {
    io.stdout.write(`${helpText(START_COMMAND)}\n`);
    return 0;
  }
  const archived = await archiveCommand(argv, io);
  if (archived === 2) return archived;
  let request;
  try {
    request = { ...resolveBuildOptions([], io), cacheDir: resolved.config.cacheDir, linksFile: resolved.config.linksFile };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`start: ${error.message}\n`);
    return 2;
  }
  const built = await build(request, io);
  if (built.code !== 0) return built.code;
  io.stdout.write(
    [
      "",
      `The site is in ${path.relative(io.cwd, request.outDir) || request.outDir}/${archived === 1 ? " (some links failed: see above; the next run retries them)" : ""}.`,
      `Preview it with:  npm run serve   (then open http://127.0.0.1:8080${request.site.pathPrefix})`,
      "Publish it by pushing to GitHub: the Pages workflow archives, commits the captures and deploys (see README).",
      "",
    ].join("\n"),
  );
  return 0;
}
