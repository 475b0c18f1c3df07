/**
 * Commits what an archive run changed under cache/ and pushes it, rebasing and retrying when the branch moved.
 * Input: a git work tree checked out on the branch, the run's summary JSON (for the message), optionally a shard
 * I/N (only that shard's capture folders and failure records are committed). Output: at most one commit, pushed.
 * Errors: a rebase conflict or a push refused for another reason than "the branch moved" ends the run (exit 1).
 * Run by `npx tsx scripts/ci/commit-back.ts` (its options: src/cli/ci.ts).
 */
import { execFile } from "node:child_process";
import { lstat } from "node:fs/promises";
import path from "node:path";
import type { CheckSummary } from "../archive/check/run.ts";
import { commitMessage, readSummary } from "./commit-message.ts";
import { keyOfCachePath, shardOf } from "../cache/layout.ts";
import { formatBytes } from "../util/bytes.ts";

/** The identity GitHub shows as github-actions[bot]; see actions/checkout's README. */
export const BOT_NAME = "github-actions[bot]";
export const BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com";

export interface CommitBackOptions {
  /** The work tree. */
  cwd: string;
  branch: string;
  /** The cache folder, relative to cwd. */
  cacheDir?: string;
  summaryFile?: string;
  /** A link check's summary, committed in the same commit: its news join the message. */
  checkSummaryFile?: string;
  shard?: { index: number; count: number };
  /** Push attempts in all; between two, the branch is rebased onto the remote's. */
  attempts?: number;
  remote?: string;
  /** Milliseconds to wait before retry n (1-based); jittered so parallel shards do not collide again. */
  delayMs?: (retry: number) => number;
  log?: (line: string) => void;
  /**
   * The contract check of one changed capture (verify, without decoding images): its problems, empty when it may be
   * committed. A capture that fails is left out of the commit, like one holding a link.
   */
  check?: (key: string) => Promise<string[]>;
}

export interface CommitBackResult {
  committed: boolean;
  /** The pushed commit, when there was something to commit. */
  sha?: string;
  subject?: string;
  files: number;
  /** Changed paths left out because they belong to another shard (or are not capture files). */
  skipped: string[];
  /** Files not committed, each with why (a symbolic link, a file GitHub would refuse); their captures are left out. */
  refused: string[];
  pushAttempts: number;
}

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

function git(cwd: string, args: string[], input?: string): Promise<GitResult> {
  return new Promise((resolve) => {
    const child = execFile("git", args, { cwd, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as NodeJS.ErrnoException).code === "number" ? Number((error as NodeJS.ErrnoException).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

async function gitOk(cwd: string, args: string[], input?: string): Promise<string> {
  const r = await git(cwd, args, input);
  if (r.code !== 0) throw new Error(`git ${args[0]} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** Paths under cacheDir changed in the work tree (modified, added, deleted, untracked), from `git status -z`. */
export async function changedPaths(cwd: string, cacheDir = "cache"): Promise<string[]> {
  const out = await gitOk(cwd, ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--", cacheDir]);
  const fields = out.split("\0");
  const paths: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i]!;
    if (entry.length < 4) continue;
    paths.push(entry.slice(3));
    // A rename or copy is followed by its source path, which is changed too.
    if (entry[0] === "R" || entry[0] === "C") paths.push(fields[++i]!);
  }
  return paths;
}

/** The hash a cache path belongs to: cache/<hash>/… or cache/_failures/<hash>.json; undefined for anything else. */
export function hashOfCachePath(file: string, cacheDir = "cache"): string | undefined {
  const prefix = `${cacheDir.replace(/\/+$/, "")}/`;
  return file.startsWith(prefix) ? keyOfCachePath(file.slice(prefix.length)) : undefined;
}

const MOVED = /\[rejected\]|non-fast-forward|fetch first|failed to update ref|cannot lock ref|stale info/i;
/** The remote refused the push itself (a pre-receive hook: GitHub's file size limit, a protected branch): retrying gives the same. */
const REFUSED = /\[remote rejected\]|pre-receive hook declined|GH\d{3}/i;

/** GitHub refuses files over 100 MiB (GH001); staying under 95 MiB leaves room for what git adds. */
export const MAX_FILE_BYTES = 95 * 1024 * 1024;

/**
 * Paths that must not be committed, each with why: anything in the cache that is not a regular file (the archiver
 * writes none; a link would publish what it points at) or a file GitHub would refuse. The whole capture of such a
 * path is left out, so no capture is committed half.
 */
async function refusedPaths(cwd: string, paths: string[], cacheDir: string): Promise<Map<string, string>> {
  const refused = new Map<string, string>();
  for (const file of paths) {
    let info;
    try {
      info = await lstat(path.join(cwd, file));
    } catch {
      continue; // deleted: nothing to check
    }
    if (info.isSymbolicLink() || !info.isFile()) refused.set(file, `${file} is ${info.isSymbolicLink() ? "a symbolic link" : "not a regular file"}`);
    else if (info.size > MAX_FILE_BYTES) refused.set(file, `${file} is ${formatBytes(info.size)}, over the ${formatBytes(MAX_FILE_BYTES)} a committed file may be (GitHub refuses files over 100 MiB)`);
  }
  // Widen to whole captures: a capture's folder goes in whole or not at all.
  const keys = new Set([...refused.keys()].map((file) => hashOfCachePath(file, cacheDir)).filter(Boolean));
  for (const file of paths) {
    const key = hashOfCachePath(file, cacheDir);
    if (key && keys.has(key) && !refused.has(file)) refused.set(file, `its capture holds a file that cannot be committed`);
  }
  return refused;
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

/** GitHub's GH001 answer names each file it refused: "File cache/ab…/x.webp is 120.00 MB". */
function refusedFilesIn(answer: string): string[] {
  return Array.from(answer.matchAll(/File (\S+) is ([\d.]+ [KMG]B)/g), (m) => `${m[1]} (${m[2]})`).slice(0, 20);
}

export async function commitBack(options: CommitBackOptions): Promise<CommitBackResult> {
  const { cwd, branch } = options;
  const cacheDir = options.cacheDir ?? "cache";
  const remote = options.remote ?? "origin";
  const attempts = options.attempts ?? 5;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const delayMs = options.delayMs ?? ((retry: number) => retry * 2000 + Math.floor(Math.random() * 3000));

  let paths = await changedPaths(cwd, cacheDir);
  const skipped: string[] = [];
  if (options.shard) {
    // Shards archive disjoint links, so committing only their own folders means their pushes never conflict.
    const { index, count } = options.shard;
    const mine = (p: string) => {
      const hash = hashOfCachePath(p, cacheDir);
      return hash !== undefined && shardOf(hash, count) === index;
    };
    skipped.push(...paths.filter((p) => !mine(p)));
    paths = paths.filter(mine);
  }
  const refusedMap = await refusedPaths(cwd, paths, cacheDir);
  if (options.check) {
    // Captures, not failure records: a changed file under cache/<key>/ whose folder still holds a capture.
    const keys = new Set(paths.filter((p) => /^[0-9a-f]{32}\//.test(p.slice(cacheDir.replace(/\/+$/, "").length + 1))).map((p) => hashOfCachePath(p, cacheDir)!));
    for (const key of keys) {
      if ([...refusedMap.keys()].some((p) => hashOfCachePath(p, cacheDir) === key)) continue;
      if (!(await exists(path.join(cwd, cacheDir, key)))) continue; // a capture removed: the deletion is committed
      const problems = await options.check(key);
      if (!problems.length) continue;
      const first = paths.find((p) => hashOfCachePath(p, cacheDir) === key)!;
      refusedMap.set(first, `${cacheDir}/${key} does not pass verify: ${problems.join("; ")}`);
      for (const p of paths) if (p !== first && hashOfCachePath(p, cacheDir) === key) refusedMap.set(p, "its capture holds a file that cannot be committed");
    }
  }
  const refused = [...refusedMap].filter(([, why]) => !why.startsWith("its capture")).map(([, why]) => why);
  for (const why of refused) log(`Not committed: ${why}.`);
  paths = paths.filter((file) => !refusedMap.has(file));
  if (paths.length === 0) {
    log(`Nothing new under ${cacheDir}/ to commit.`);
    return { committed: false, files: 0, skipped, refused, pushAttempts: 0 };
  }

  // Paths through stdin (a backfill shard can change tens of thousands of files), taken literally, not as globs.
  await gitOk(cwd, ["--literal-pathspecs", "add", "--all", "--pathspec-from-file=-", "--pathspec-file-nul"], `${paths.join("\0")}\0`);
  const summary = await readSummary(options.summaryFile);
  const shardLabel = options.shard ? `${options.shard.index}/${options.shard.count}` : undefined;
  const check = options.checkSummaryFile ? await readSummary<Partial<CheckSummary>>(options.checkSummaryFile) : undefined;
  const message = commitMessage(summary, { shard: shardLabel, check });
  const identity = ["-c", `user.name=${BOT_NAME}`, "-c", `user.email=${BOT_EMAIL}`];
  await gitOk(cwd, [...identity, "commit", "--quiet", "--no-verify", "--file=-"], message);
  const subject = message.split("\n", 1)[0]!;
  log(`Committed ${paths.length} file${paths.length === 1 ? "" : "s"}: ${subject}`);

  for (let attempt = 1; ; attempt++) {
    const push = await git(cwd, ["push", "--porcelain", remote, `HEAD:refs/heads/${branch}`]);
    if (push.code === 0) {
      const sha = (await gitOk(cwd, ["rev-parse", "HEAD"])).trim();
      log(`Pushed ${sha.slice(0, 12)} to ${branch} (attempt ${attempt} of ${attempts}).`);
      return { committed: true, sha, subject, files: paths.length, skipped, refused, pushAttempts: attempt };
    }
    const why = `${push.stderr}\n${push.stdout}`.trim();
    // A remote that moved also answers "[remote rejected]" (cannot lock ref): that is checked first.
    if (!MOVED.test(why) && REFUSED.test(why)) {
      const files = refusedFilesIn(why);
      throw new Error(
        `${remote} refused the push to ${branch}${files.length ? `: ${files.join(", ")} ${files.length === 1 ? "is" : "are"} over GitHub's file size limit` : ""}. ` +
          `Nothing was pushed; remove ${files.length ? "those files' captures" : "what it names"} from cache/ (or their links from links.txt) and run again. Its answer: ${why.slice(-1500)}`,
      );
    }
    if (!MOVED.test(why)) throw new Error(`Could not push to ${remote}/${branch}: ${why}`);
    if (attempt >= attempts) {
      throw new Error(`Could not push to ${remote}/${branch} after ${attempts} attempts; it kept moving. Last answer: ${why}`);
    }
    const wait = delayMs(attempt);
    log(`${branch} moved since checkout; rebasing onto ${remote}/${branch} and pushing again in ${(wait / 1000).toFixed(1)}s.`);
    await new Promise((resolve) => setTimeout(resolve, wait));
    // --autostash: in a shard job, other shards' paths may be left modified in the work tree.
    const pull = await git(cwd, [...identity, "pull", "--rebase", "--autostash", "--quiet", remote, branch]);
    if (pull.code !== 0) {
      await git(cwd, ["rebase", "--abort"]);
      throw new Error(
        `Could not rebase the captures onto ${remote}/${branch}: ${(pull.stderr || pull.stdout).trim()}. ` +
          `Someone changed the same capture files meanwhile; run the workflow again to archive on top of their change.`,
      );
    }
  }
}
