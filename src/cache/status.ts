/**
 * The link watch's records (DESIGN.md "the original's status"): cache/_status/<hash>.json, one file a link, and the
 * check log cache/_checks.json. Input: what a check observed of one original. Output: the record to write, or nothing
 * when the observation repeats what the record says: a file changes only on a transition (or while a failure streak
 * is building towards a verdict), so git stays small. Reads go through the schema; writes are atomic (temp + rename).
 */
import { randomBytes } from "node:crypto";
import { mkdir, rename } from "node:fs/promises";
import path from "node:path";
import { describeKind, listEntries, readRegularFile } from "./files.ts";
import { CAPTURE_KEY, STATUS_DIR, checkLogFile, statusFile } from "./layout.ts";
import { CHECK_RUNS_KEPT, STATUS_HISTORY_MAX, checkCheckLog, checkStatusRecord } from "./schema.ts";
import { writeFileDurably } from "./store.ts";
import type { CheckAnswer, CheckLog, CheckRunRecord, OriginalStatus, SliceRecord, StatusRecord } from "./types.ts";

/** Unreachable becomes a verdict only after this many checks in a row that could not reach the original… */
export const UNREACHABLE_AFTER = 3;
/** …spanning at least this long, so one bad week of a server (or of the runner's network) is not a death notice. */
export const UNREACHABLE_SPAN_DAYS = 7;

/** What one check found of one original. */
export type Observation =
  | { kind: "verdict"; status: Exclude<OriginalStatus, "unknown" | "unreachable">; answer: CheckAnswer; movedTo?: string }
  /** Could not reach it this time (timeout, 5xx, 429, refused): not a verdict until it repeats. */
  | { kind: "failed"; answer: CheckAnswer };

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The record after `observation`, or undefined when nothing changes (no write). Pure. A verdict equal to the
 * record's status keeps the record as it is (the answer it got at the transition stays); a different one moves the
 * old state into history. A failure adds to the streak, and the streak becomes "unreachable" (since its first
 * failure) once it is long enough in count and in time.
 */
export function applyObservation(
  previous: StatusRecord | undefined,
  link: { url: string; hash: string },
  observation: Observation,
  now: Date,
): StatusRecord | undefined {
  const at = now.toISOString();
  const base = { url: link.url, hash_url: link.hash };
  if (observation.kind === "verdict") {
    const movedTo = observation.status === "moved" ? observation.movedTo : undefined;
    if (previous && previous.status === observation.status && previous.moved_to === movedTo) {
      if (!previous.failing) return undefined;
      const { failing: _ended, ...rest } = previous;
      return rest;
    }
    return transition(previous, { ...base, status: observation.status, since: at, answer: observation.answer, ...(movedTo ? { moved_to: movedTo } : {}) });
  }
  if (previous?.status === "unreachable") return undefined;
  const streak = previous?.failing ? { ...previous.failing, count: previous.failing.count + 1 } : { since: at, count: 1, answer: observation.answer };
  if (streak.count >= UNREACHABLE_AFTER && now.getTime() - Date.parse(streak.since) >= UNREACHABLE_SPAN_DAYS * DAY_MS) {
    return transition(previous, { ...base, status: "unreachable", since: streak.since, answer: observation.answer });
  }
  const current = previous ?? { ...base, status: "unknown" as const, since: at, answer: observation.answer, history: [] };
  return { ...current, failing: streak };
}

function transition(previous: StatusRecord | undefined, next: Omit<StatusRecord, "history">): StatusRecord {
  const history = previous && previous.status !== "unknown" ? [...previous.history, { status: previous.status, since: previous.since, answer: previous.answer, ...(previous.moved_to ? { moved_to: previous.moved_to } : {}) }] : [...(previous?.history ?? [])];
  return { ...next, history: history.slice(-STATUS_HISTORY_MAX) };
}

/** The first time the original was seen gone in its latest run of being gone (the record's since when gone). */
export function goneSince(record: StatusRecord): string | undefined {
  return record.status === "gone" ? record.since : undefined;
}

export async function readStatus(cacheDir: string, hash: string): Promise<StatusRecord | undefined> {
  try {
    const checked = checkStatusRecord(JSON.parse(await readRegularFile(statusFile(cacheDir, hash), "utf8")), hash);
    return checked.ok ? checked.value : undefined;
  } catch {
    return undefined;
  }
}

/** Every well-formed status record by hash, and a problem for each other entry of the status folder. */
export async function readStatuses(cacheDir: string): Promise<{ records: Map<string, StatusRecord>; problems: Array<{ name: string; reason: string }> }> {
  const dir = path.join(cacheDir, STATUS_DIR);
  const records = new Map<string, StatusRecord>();
  const problems: Array<{ name: string; reason: string }> = [];
  let entries;
  try {
    entries = (await listEntries(dir)).sort((a, b) => a.name.localeCompare(b.name));
  } catch {
    return { records, problems };
  }
  for (const entry of entries) {
    if (entry.name.endsWith(".tmp")) continue; // a write in progress, or left by a kill (swept by the next run)
    const key = /^([0-9a-f]{32})\.json$/.exec(entry.name)?.[1];
    if (!key || !CAPTURE_KEY.test(key)) {
      problems.push({ name: entry.name, reason: "is not named <md5>.json" });
      continue;
    }
    if (entry.kind !== "file") {
      problems.push({ name: entry.name, reason: `is ${describeKind(entry.kind)}, not a regular file; it is not read` });
      continue;
    }
    try {
      const checked = checkStatusRecord(JSON.parse(await readRegularFile(path.join(dir, entry.name), "utf8")), key);
      if (checked.ok) records.set(key, checked.value);
      else problems.push({ name: entry.name, reason: checked.errors.join("; ") });
    } catch (error) {
      problems.push({ name: entry.name, reason: `could not be read: ${(error as Error).message}` });
    }
  }
  return { records, problems };
}

async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFileDurably(temp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(temp, file);
}

export async function writeStatus(cacheDir: string, record: StatusRecord): Promise<void> {
  const checked = checkStatusRecord(record, record.hash_url);
  if (!checked.ok) throw new Error(`Refusing to write a status record for ${record.url} that fails its own schema: ${checked.errors.join("; ")}`);
  await writeJsonAtomically(statusFile(cacheDir, record.hash_url), record);
}

/** Reads, applies and (only when it changes) writes a link's status record; returns the record after, and whether it was written. */
export async function observeOriginal(
  cacheDir: string,
  link: { url: string; hash: string },
  observation: Observation,
  now: Date,
): Promise<{ record: StatusRecord | undefined; previous: StatusRecord | undefined; written: boolean }> {
  const previous = await readStatus(cacheDir, link.hash);
  const next = applyObservation(previous, link, observation, now);
  if (!next) return { record: previous, previous, written: false };
  await writeStatus(cacheDir, next);
  return { record: next, previous, written: true };
}

/** The check log, or an empty one (for `slices`) when there is none, it is malformed, or it was cut in another number of slices. */
export async function readCheckLog(cacheDir: string, slices?: number): Promise<CheckLog> {
  const empty: CheckLog = { format: 1, slices: slices ?? 1, slice_records: [], runs: [] };
  try {
    const checked = checkCheckLog(JSON.parse(await readRegularFile(checkLogFile(cacheDir), "utf8")));
    if (!checked.ok) return empty;
    if (slices !== undefined && checked.value.slices !== slices) return { ...empty, runs: checked.value.runs };
    return checked.value;
  } catch {
    return empty;
  }
}

/** Why the check log cannot be used, or undefined when it can (or there is none yet). */
export async function inspectCheckLog(cacheDir: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readRegularFile(checkLogFile(cacheDir), "utf8");
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? undefined : `could not be read: ${(error as Error).message}`;
  }
  try {
    const checked = checkCheckLog(JSON.parse(text));
    return checked.ok ? undefined : checked.errors.join("; ");
  } catch (error) {
    return `is not JSON: ${(error as Error).message}`;
  }
}

/** The log after one run of `slice`: that slice's record replaced, the run appended (the oldest runs dropped). */
export function logRun(log: CheckLog, slice: SliceRecord, run: CheckRunRecord): CheckLog {
  const others = log.slice_records.filter((record) => record.slice !== slice.slice);
  return {
    format: 1,
    slices: run.slices,
    slice_records: [...others, slice].sort((a, b) => a.slice - b.slice),
    runs: [...log.runs, run].slice(-CHECK_RUNS_KEPT),
  };
}

export async function writeCheckLog(cacheDir: string, log: CheckLog): Promise<void> {
  const checked = checkCheckLog(log);
  if (!checked.ok) throw new Error(`Refusing to write a check log that fails its own schema: ${checked.errors.join("; ")}`);
  await writeJsonAtomically(checkLogFile(cacheDir), log);
}
