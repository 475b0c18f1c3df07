/**
 * cache/ on disk. A capture is built in a work folder (cache/.tmp-<hash>-…) and renamed into cache/<hash>/, so a
 * kill at any moment leaves the old capture or the new one; sweepWorkFolders() at the start of a run finishes or
 * undoes whatever a killed run left. Failures are files of their own (cache/_failures/<hash>.json) so shards
 * archived in parallel never edit the same file.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import matter from "gray-matter";
import { StoreError } from "../archive/errors.ts";
import { CAPTURE_KEY as HASH } from "../archive/links.ts";
import type { CaptureMeta, FailureRecord, Link } from "../archive/types.ts";

export const FAILURES_DIR = "_failures";
const WORK_PREFIX = ".tmp-";
const OLD_PREFIX = ".old-";

export function captureDir(cacheDir: string, hash: string): string {
  return path.join(cacheDir, hash);
}

export async function hasCapture(cacheDir: string, hash: string): Promise<boolean> {
  try {
    return (await stat(path.join(cacheDir, hash, "index.html"))).isFile();
  } catch {
    return false;
  }
}

/** The hashes of every capture folder, without reading any file (a no-op rerun stays fast). */
export async function listCaptures(cacheDir: string): Promise<Set<string>> {
  let entries: string[];
  try {
    entries = await readdir(cacheDir);
  } catch {
    return new Set();
  }
  return new Set(entries.filter((name) => HASH.test(name)));
}

/** The front matter of an existing capture, or undefined when there is none or it cannot be read. */
export async function readCaptureMeta(cacheDir: string, hash: string): Promise<Partial<CaptureMeta> | undefined> {
  try {
    const text = await readFile(path.join(cacheDir, hash, "index.html"), "utf8");
    return matter(text).data as Partial<CaptureMeta>;
  } catch {
    return undefined;
  }
}

/**
 * Finish what a killed run left: work folders are deleted (they were never renamed into place, so nothing refers
 * to them); an `.old-` folder is the previous capture moved aside during a swap: it is deleted when the new capture
 * made it into place, and moved back when the kill came between the two renames.
 */
export async function sweepWorkFolders(cacheDir: string): Promise<{ removed: number; restored: number }> {
  let removed = 0;
  let restored = 0;
  let entries: string[];
  try {
    entries = await readdir(cacheDir);
  } catch {
    return { removed, restored };
  }
  for (const name of entries) {
    const isWork = name.startsWith(WORK_PREFIX);
    const isOld = name.startsWith(OLD_PREFIX);
    if (!isWork && !isOld) continue;
    // Another run on this cache may be alive and still writing its work folders: leave those alone.
    if (ownerIsAlive(name)) continue;
    try {
      if (isWork) {
        await rm(path.join(cacheDir, name), { recursive: true, force: true });
        removed += 1;
        continue;
      }
      const hash = name.slice(OLD_PREFIX.length, OLD_PREFIX.length + 32);
      if (!HASH.test(hash)) continue;
      if (await hasCapture(cacheDir, hash)) {
        await rm(path.join(cacheDir, name), { recursive: true, force: true });
        removed += 1;
      } else {
        await rm(path.join(cacheDir, hash), { recursive: true, force: true });
        await rename(path.join(cacheDir, name), path.join(cacheDir, hash));
        restored += 1;
      }
    } catch {
      // A folder we cannot tidy up now is harmless (never listed as a capture); the next run tries again.
    }
  }
  // A failure record is written to a .tmp file and renamed; a kill in between leaves the .tmp behind.
  try {
    for (const name of await readdir(path.join(cacheDir, FAILURES_DIR))) {
      if (!name.endsWith(".tmp")) continue;
      await rm(path.join(cacheDir, FAILURES_DIR, name), { force: true });
      removed += 1;
    }
  } catch {
    // No failures folder yet.
  }
  return { removed, restored };
}

/** Work folders are named <prefix><hash>-<pid>-<random>: is the process that made this one still running? */
function ownerIsAlive(name: string): boolean {
  const pid = Number(/-(\d+)-[0-9a-f]+$/.exec(name)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A fresh, empty work folder for one capture, inside cacheDir so the final rename stays on one filesystem. */
export async function createWorkFolder(cacheDir: string, hash: string): Promise<string> {
  const dir = path.join(cacheDir, `${WORK_PREFIX}${hash}-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    await mkdir(dir, { recursive: true });
  } catch (cause) {
    throw new StoreError(`Could not create a work folder in ${cacheDir}: ${(cause as Error).message}. Check that the cache folder is writable.`, { cause });
  }
  return dir;
}

export async function discardWorkFolder(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Front matter (YAML) then the body: the capture format users and the site rely on. */
export function renderCaptureFile(meta: CaptureMeta, body: string): string {
  // js-yaml refuses undefined values; absent fields are simply left out.
  const data = Object.fromEntries(Object.entries(meta).filter(([, value]) => value !== undefined));
  return matter.stringify(body.endsWith("\n") ? body : `${body}\n`, data);
}

/** Write a file and flush it to disk, so a rename that follows never exposes a half-written file after a crash. */
export async function writeFileDurably(file: string, data: string | Buffer): Promise<void> {
  const handle = await open(file, "w");
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Move a finished work folder into cache/<hash>/, replacing the previous capture, if any. */
export async function commitCapture(cacheDir: string, hash: string, workDir: string): Promise<void> {
  const target = captureDir(cacheDir, hash);
  const relative = path.join(path.basename(cacheDir), hash, "index.html");
  try {
    await rename(workDir, target);
    return;
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code !== "ENOTEMPTY" && code !== "EEXIST") {
      throw new StoreError(`Could not write ${relative}: ${(cause as Error).message}`, { cause });
    }
  }
  // A directory cannot be renamed over a non-empty one: move the old one aside first (sweepWorkFolders
  // undoes this if we are killed in between).
  const aside = path.join(cacheDir, `${OLD_PREFIX}${hash}-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    await rename(target, aside);
    await rename(workDir, target);
  } catch (cause) {
    throw new StoreError(`Could not replace ${relative}: ${(cause as Error).message}`, { cause });
  }
  await rm(aside, { recursive: true, force: true });
}

function failurePath(cacheDir: string, hash: string): string {
  return path.join(cacheDir, FAILURES_DIR, `${hash}.json`);
}

export async function readFailure(cacheDir: string, hash: string): Promise<FailureRecord | undefined> {
  try {
    return JSON.parse(await readFile(failurePath(cacheDir, hash), "utf8")) as FailureRecord;
  } catch {
    return undefined;
  }
}

export async function readFailures(cacheDir: string): Promise<FailureRecord[]> {
  let names: string[];
  try {
    names = await readdir(path.join(cacheDir, FAILURES_DIR));
  } catch {
    return [];
  }
  const records = await Promise.all(
    names.filter((n) => n.endsWith(".json")).map((n) => readFailure(cacheDir, n.slice(0, -".json".length))),
  );
  return records.filter((r): r is FailureRecord => r !== undefined);
}

/** Record (or update) a link's failure so the next run retries it and the site can list it. */
export async function recordFailure(
  cacheDir: string,
  link: Link,
  failure: { code: string; reason: string; keptPrevious: boolean; at: Date },
): Promise<FailureRecord> {
  const previous = await readFailure(cacheDir, link.hash);
  const at = failure.at.toISOString();
  const record: FailureRecord = {
    url: link.url,
    hash_url: link.hash,
    line: link.line,
    code: failure.code,
    reason: failure.reason,
    first_failed_at: previous?.url === link.url ? previous.first_failed_at : at,
    last_failed_at: at,
    attempts: (previous?.url === link.url ? previous.attempts : 0) + 1,
    kept_previous: failure.keptPrevious,
  };
  const file = failurePath(cacheDir, link.hash);
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFileDurably(temp, `${JSON.stringify(record, null, 2)}\n`);
  await rename(temp, file);
  return record;
}

export async function clearFailure(cacheDir: string, hash: string): Promise<void> {
  await rm(failurePath(cacheDir, hash), { force: true });
}
