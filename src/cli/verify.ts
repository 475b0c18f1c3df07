/**
 * `npm run verify`: every capture re-checked against the contract (src/verify/): what `npm run build` does before it
 * publishes, and the commit job before it commits. Exit codes: 0 every capture passes; 1 some do not (each is named
 * with why; the build leaves them out); 2 usage error.
 */
import path from "node:path";
import { helpText, resolveOptions, UsageError, type CommandSpec } from "../util/options.ts";
import { verifyArchive } from "../verify/archive.ts";
import { processIo, type CommandIo } from "./run.ts";

export const VERIFY_COMMAND: CommandSpec = {
  name: "verify",
  summary: "Checks every capture in <cache> against the contract: files, front matter, sanitized HTML, images.",
  options: [
    { flag: "cache", kind: "string", value: "DIR", default: "cache", help: "the captures to check" },
    { flag: "decode", kind: "boolean", default: true, help: "decode every image with sharp (--no-decode checks their headers only)" },
    { flag: "memo", kind: "string", value: "FILE", help: "remember captures that passed, and skip them next time while their files are unchanged" },
  ],
  footer: ["Exit codes: 0 every capture passes; 1 some do not (each is named, and npm run build leaves it out); 2 usage error."],
};

export async function verifyCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  let values;
  try {
    ({ values } = resolveOptions(VERIFY_COMMAND, argv, io.env));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`verify: ${error.message}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(`${helpText(VERIFY_COMMAND)}\n`);
    return 0;
  }
  const cacheDir = path.resolve(io.cwd, values.cache as string);
  const memoFile = values.memo === undefined ? undefined : path.resolve(io.cwd, values.memo as string);
  const verdict = await verifyArchive(cacheDir, { decode: values.decode === true, memoFile });
  const label = path.relative(io.cwd, cacheDir) || cacheDir;
  for (const { key, problems } of verdict.failed) io.stdout.write(`${label}/${key}: ${problems.join("; ")}\n`);
  for (const { where, problem } of verdict.records) io.stdout.write(`${label}/${where}: ${problem} (ignored by the site: the original's status shows as unknown)\n`);
  const total = verdict.checked + verdict.remembered;
  io.stdout.write(
    `Verified ${total} capture${total === 1 ? "" : "s"}${verdict.remembered ? ` (${verdict.remembered} unchanged since they passed)` : ""}: ` +
      `${total - verdict.failed.length} pass, ${verdict.failed.length} fail${verdict.failed.length ? " (left out of the site by npm run build)" : ""}.\n`,
  );
  return verdict.failed.length || verdict.records.length ? 1 : 0;
}
