/**
 * The helpers the workflows run, as commands with option tables like every other command (their values come from
 * flags or from the variables GitHub Actions sets): commit the captures back, print a commit message, choose links
 * to refresh. Workflow text (an input, a summary) arrives as data through flags and the environment, never through a
 * shell script.
 */
import { appendFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseShard, SHARD_FORMAT } from "../cache/layout.ts";
import { applyCaptures, packCaptures } from "../ci/captures-artifact.ts";
import type { CheckSummary } from "../archive/check/run.ts";
import { commitBack } from "../ci/commit-back.ts";
import { commitMessage, readSummary } from "../ci/commit-message.ts";
import { escapeCommandData, prepareRefresh } from "../ci/refresh-links.ts";
import { verifyCapture } from "../verify/verify.ts";
import { helpText, resolveOptions, UsageError, type CommandSpec } from "../util/options.ts";
import { processIo, type CommandIo } from "./run.ts";

const shardProblem = (value: string) => (parseShard(value) ? undefined : SHARD_FORMAT);

export const COMMIT_BACK_COMMAND: CommandSpec = {
  name: "commit-back",
  invocation: "node scripts/ci/commit-back.ts",
  summary: "Commits what an archive run changed under the cache folder and pushes it, rebasing and retrying when the branch moved.",
  options: [
    { flag: "summary", kind: "string", value: "FILE", help: "the run's summary JSON (npm run archive -- --summary FILE), for the message" },
    { flag: "check-summary", kind: "string", value: "FILE", help: "a link check's summary JSON (npm run check -- --summary FILE), for the message" },
    { flag: "shard", kind: "string", value: "I/N", check: shardProblem, help: "commit only the capture folders and failure records of this shard" },
    { flag: "branch", kind: "string", value: "NAME", env: "GITHUB_REF_NAME", help: "the branch to push to" },
    { flag: "attempts", kind: "integer", value: "N", default: 5, min: 1, max: 20, help: "push attempts in all" },
    { flag: "cache", kind: "string", value: "DIR", default: "cache", help: "the cache folder, relative to the work tree" },
    { flag: "output", kind: "string", value: "FILE", env: "GITHUB_OUTPUT", help: "step outputs (committed=, sha=) are appended here" },
    { flag: "verify", kind: "boolean", default: true, help: "check each changed capture against the contract first, images by their headers (--no-verify skips it)" },
  ],
  footer: [
    "A capture left out (a link, an oversized file, one that fails verify) is named in a warning and the rest is committed; its link is",
    "archived again by the next run. Exit codes: 0 committed and pushed, or nothing to commit; 1 the commit or push failed; 2 usage error.",
  ],
};

export const COMMIT_MESSAGE_COMMAND: CommandSpec = {
  name: "commit-message",
  invocation: "npx tsx scripts/ci/commit-message.ts",
  summary: "Prints the commit message of an archive run from its summary JSON.",
  positionals: { value: "SUMMARY.json", help: "what npm run archive -- --summary FILE wrote" },
  options: [
    { flag: "shard", kind: "string", value: "I/N", check: shardProblem, help: "name the backfill shard in the subject" },
    { flag: "check-summary", kind: "string", value: "FILE", help: "a link check's summary JSON, whose news the message adds" },
  ],
};

export const REFRESH_LINKS_COMMAND: CommandSpec = {
  name: "refresh-links",
  invocation: "npx tsx scripts/ci/refresh-links.ts",
  summary: 'Turns the "refresh" input of a manual Pages run (URLs as written in links.txt, or "all") into step outputs.',
  options: [
    { flag: "input", kind: "string", value: "TEXT", default: "", env: "REFRESH_INPUT", help: "the URLs to refresh, separated by spaces, or all" },
    { flag: "links", kind: "string", value: "FILE", default: "links.txt", env: "LINKS_FILE", help: "the links file" },
    { flag: "temp-dir", kind: "string", value: "DIR", env: "RUNNER_TEMP", defaultText: "the system's temporary folder", help: "where the file of chosen links is written" },
    { flag: "output", kind: "string", value: "FILE", env: "GITHUB_OUTPUT", help: "step outputs (refresh=, links=) are appended here" },
  ],
  footer: ["Exit codes: 0 a plan was made; 1 none of the URLs is a line of the links file; 2 usage error."],
};

export const PACK_CAPTURES_COMMAND: CommandSpec = {
  name: "pack-captures",
  invocation: "npx tsx scripts/ci/pack-captures.ts",
  summary: "Copies what an archive run changed under the cache folder, with a manifest and the run's summary, into a folder for the commit job.",
  options: [
    { flag: "out", kind: "string", value: "DIR", help: "the folder to write (uploaded as a workflow artifact)" },
    { flag: "cache", kind: "string", value: "DIR", default: "cache", help: "the cache folder, relative to the work tree" },
    { flag: "summary", kind: "string", value: "FILE", help: "the run's summary JSON, passed on for the commit message" },
  ],
  footer: ["Exit codes: 0 packed; 2 usage error."],
};

export const APPLY_CAPTURES_COMMAND: CommandSpec = {
  name: "apply-captures",
  invocation: "node scripts/ci/apply-captures.ts",
  summary: "Writes the files of a packed folder into the cache folder, and deletes what it lists, refusing any path or file that is not a capture's.",
  options: [
    { flag: "from", kind: "string", value: "DIR", help: "the packed folder (the downloaded artifact)" },
    { flag: "cache", kind: "string", value: "DIR", default: "cache", help: "the cache folder, relative to the work tree" },
  ],
  footer: ["Exit codes: 0 applied; 1 something was refused (named; the job then stops before committing); 2 usage error."],
};

export async function packCapturesCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  const { values } = resolveOptions(PACK_CAPTURES_COMMAND, argv, io.env);
  if (values.help) {
    io.stdout.write(`${helpText(PACK_CAPTURES_COMMAND)}\n`);
    return 0;
  }
  if (!values.out) throw new UsageError("Say where to write the packed captures: --out DIR.");
  const packed = await packCaptures({
    cwd: io.cwd,
    cacheDir: values.cache as string,
    out: path.resolve(io.cwd, values.out as string),
    summaryFile: values.summary === undefined ? undefined : path.resolve(io.cwd, values.summary as string),
  });
  io.stdout.write(`Packed ${packed.files.length} changed file(s) and ${packed.deleted.length} deletion(s).\n`);
  if (packed.skipped.length) {
    const named = packed.skipped.slice(0, 5).map((file) => JSON.stringify(file)).join(", ");
    io.stdout.write(annotation("warning", "Files left behind", `${packed.skipped.length} changed path(s) under the cache folder are not capture files and were not packed: ${named}`));
  }
  return 0;
}

export async function applyCapturesCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  const { values } = resolveOptions(APPLY_CAPTURES_COMMAND, argv, io.env);
  if (values.help) {
    io.stdout.write(`${helpText(APPLY_CAPTURES_COMMAND)}\n`);
    return 0;
  }
  if (!values.from) throw new UsageError("Say which packed folder to apply: --from DIR.");
  const applied = await applyCaptures({ from: path.resolve(io.cwd, values.from as string), cwd: io.cwd, cacheDir: values.cache as string });
  io.stdout.write(`Applied ${applied.written} file(s) and ${applied.deleted} deletion(s).\n`);
  if (!applied.refused.length) return 0;
  io.stdout.write(annotation("error", "Captures refused", `${applied.refused.length} path(s) of the artifact were refused: ${applied.refused.slice(0, 5).join("; ")}`));
  return 1;
}

/** A workflow command (`::error::`) whose text cannot start another command. */
function annotation(kind: "error" | "warning", title: string, text: string): string {
  return `::${kind} title=${title}::${escapeCommandData(text)}\n`;
}

export async function commitBackCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  const { values } = resolveOptions(COMMIT_BACK_COMMAND, argv, io.env);
  if (values.help) {
    io.stdout.write(`${helpText(COMMIT_BACK_COMMAND)}\n`);
    return 0;
  }
  const branch = values.branch as string | undefined;
  if (!branch) throw new UsageError("No branch to push to: pass --branch NAME (on GitHub Actions, GITHUB_REF_NAME sets it).");
  try {
    const result = await commitBack({
      cwd: io.cwd,
      branch,
      cacheDir: values.cache as string,
      summaryFile: values.summary as string | undefined,
      checkSummaryFile: values["check-summary"] as string | undefined,
      shard: values.shard === undefined ? undefined : parseShard(values.shard as string),
      attempts: values.attempts as number,
      log: (line) => void io.stdout.write(`${line}\n`),
      // The contract, before anything is committed; no native image decoder runs in the job that holds the token.
      check: values.verify === true ? (key) => verifyCapture(path.resolve(io.cwd, values.cache as string), key, { decode: false }) : undefined,
    });
    if (result.skipped.length) {
      io.stdout.write(`Left ${result.skipped.length} changed path(s) outside this shard uncommitted, e.g. ${result.skipped[0]}\n`);
    }
    if (values.output) await appendFile(values.output as string, `committed=${result.committed}\nsha=${result.sha ?? ""}\n`);
    // A warning, not a failure: one odd capture must not stop the site from being built and published.
    if (result.refused.length) {
      io.stdout.write(annotation("warning", "Captures not committed", `${result.refused.length} file(s) could not be committed; their captures were left out and are archived again next run: ${result.refused.slice(0, 5).join("; ")}`));
    }
    return 0;
  } catch (error) {
    io.stdout.write(annotation("error", "Commit back failed", (error as Error).message));
    return 1;
  }
}

export async function commitMessageCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  const { values, positionals } = resolveOptions(COMMIT_MESSAGE_COMMAND, argv, io.env);
  if (values.help) {
    io.stdout.write(`${helpText(COMMIT_MESSAGE_COMMAND)}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`Give one summary file, not ${positionals.length}.`);
  const file = positionals[0] === undefined ? undefined : path.resolve(io.cwd, positionals[0]);
  const check = values["check-summary"] === undefined ? undefined : await readSummary<Partial<CheckSummary>>(path.resolve(io.cwd, values["check-summary"] as string));
  io.stdout.write(commitMessage(await readSummary(file), { shard: values.shard as string | undefined, check }));
  return 0;
}

export async function refreshLinksCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  const { values } = resolveOptions(REFRESH_LINKS_COMMAND, argv, io.env);
  if (values.help) {
    io.stdout.write(`${helpText(REFRESH_LINKS_COMMAND)}\n`);
    return 0;
  }
  try {
    const out = await prepareRefresh(values.input as string, path.resolve(io.cwd, values.links as string), (values["temp-dir"] as string | undefined) ?? os.tmpdir());
    for (const warning of out.warnings) io.stdout.write(annotation("warning", "Not refreshed", warning));
    io.stdout.write(out.refresh ? `Refreshing ${out.links ? `the links in ${out.links}` : "every link"}.\n` : "Nothing to refresh.\n");
    if (values.output) await appendFile(values.output as string, `refresh=${out.refresh}\nlinks=${out.links}\n`);
    return 0;
  } catch (error) {
    io.stdout.write(annotation("error", "Nothing to refresh", (error as Error).message));
    return 1;
  }
}
