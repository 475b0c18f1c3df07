/**
 * Failure records: cache/_failures/<hash>.json, one file a link, so shards archived in parallel never edit the same
 * file. Written atomically (a temporary file renamed into place); read through the schema, like captures.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { describeKind, listEntries, readRegularFile } from "./files.ts";
import { FAILURES_DIR, failureFile } from "./layout.ts";
import { checkFailureRecord } from "./schema.ts";
import { writeFileDurably } from "./store.ts";
import type { FailureRecord } from "./types.ts";

/** The link a failure is about: its URL as written, its key, its line in the links file. */
export interface FailedLink {
  url: string;
  hash: string;
  line: number;
}

/** A failure record left out, and why (a malformed record is reported, never fatal). */
export interface FailureProblem {
  /** The record's file name under the failures folder. */
  name: string;
  reason: string;
}

export async function readFailure(cacheDir: string, hash: string): Promise<FailureRecord | undefined> {
  try {
    const checked = checkFailureRecord(JSON.parse(await readRegularFile(failureFile(cacheDir, hash), "utf8")));
    return checked.ok ? checked.value : undefined;
  } catch {
    return undefined;
  }
}

/** Every well-formed record, sorted by file name, and a problem for each other entry of the failures folder. */
export async function readFailures(cacheDir: string): Promise<{ failures: FailureRecord[]; problems: FailureProblem[] }> {
  const dir = path.join(cacheDir, FAILURES_DIR);
  let entries;
  try {
    entries = (await listEntries(dir)).sort((a, b) => a.name.localeCompare(b.name));
  } catch {
    return { failures: [], problems: [] };
  }
  const failures: FailureRecord[] = [];
  const problems: FailureProblem[] = [];
  for (const entry of entries) {
    if (!entry.name.endsWith(".json")) continue; // .tmp files of a write in progress
    if (entry.kind !== "file") {
      problems.push({ name: entry.name, reason: `is ${describeKind(entry.kind)}, not a regular file; it is not read` });
      continue;
    }
    try {
      const checked = checkFailureRecord(JSON.parse(await readRegularFile(path.join(dir, entry.name), "utf8")));
      if (checked.ok) failures.push(checked.value);
      else problems.push({ name: entry.name, reason: checked.errors.join("; ") });
    } catch (error) {
      problems.push({ name: entry.name, reason: `could not be read: ${(error as Error).message}` });
    }
  }
  return { failures, problems };
}

/** Record (or update) a link's failure so the next run retries it and the site can list it. */
export async function recordFailure(
  cacheDir: string,
  link: FailedLink,
  failure: { code: string; reason: string; keptPrevious: boolean; at: Date },
): Promise<FailureRecord> {
  const previous = await readFailure(cacheDir, link.hash);
  const at = failure.at.toISOString();
  const same = previous?.url === link.url;
  const record: FailureRecord = {
    url: link.url,
    hash_url: link.hash,
    line: link.line,
    code: failure.code,
    reason: failure.reason,
    first_failed_at: same && previous.first_failed_at ? previous.first_failed_at : at,
    last_failed_at: at,
    attempts: (same ? previous.attempts : 0) + 1,
    kept_previous: failure.keptPrevious,
  };
  const file = failureFile(cacheDir, link.hash);
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFileDurably(temp, `${JSON.stringify(record, null, 2)}\n`);
  await rename(temp, file);
  return record;
}

export async function clearFailure(cacheDir: string, hash: string): Promise<void> {
  await rm(failureFile(cacheDir, hash), { force: true });
}
