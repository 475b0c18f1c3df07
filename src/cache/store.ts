/**
 * cache/ on disk. A capture is built in a work folder (cache/.tmp-<hash>-…) and renamed into cache/<hash>/, so a
 * kill at any moment leaves the old capture or the new one; sweepWorkFolders() at the start of a run finishes or
 * undoes whatever a killed run left. Failures are files of their own (cache/_failures/<hash>.json) so shards
 * archived in parallel never edit the same file.
 */
import { randomBytes } from "node:crypto";
import { lstat, mkdir, open, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { captureBodyOf, parseCaptureFile, renderCaptureFile } from "./capture-file.ts";
import { CacheWriteError } from "./errors.ts";
import { describeKind, listEntries, readRegularFile, type Entry } from "./files.ts";
import { CAPTURE_FILE, CAPTURE_KEY as HASH, CHECK_LOG_FILE, FAILURES_DIR, OLD_PREFIX, STATUS_DIR, WORK_PREFIX, captureDir, captureFile } from "./layout.ts";
import { checkCaptureMeta } from "./schema.ts";
import type { CaptureMeta } from "./types.ts";
import { carryVersions } from "./versions.ts";


/** Whether cache/<hash>/index.html is a regular file in a real folder (a link in either place is not a capture). */
export async function hasCapture(cacheDir: string, hash: string): Promise<boolean> {
  try {
    return (await lstat(captureDir(cacheDir, hash))).isDirectory() && (await lstat(captureFile(cacheDir, hash))).isFile();
  } catch {
    return false;
  }
}

/** The hashes of every capture folder, without reading any file (a no-op rerun stays fast). */
export async function listCaptures(cacheDir: string): Promise<Set<string>> {
  let entries: Entry[];
  try {
    entries = await listEntries(cacheDir);
  } catch {
    return new Set();
  }
  // A link named like a capture is not one (readCapture refuses it), so the next run captures that URL for real.
  return new Set(entries.filter((entry) => entry.kind === "directory" && HASH.test(entry.name)).map((entry) => entry.name));
}

/** A capture as read from disk, checked against the schema; or why it cannot be used. */
export type StoredCapture =
  | { ok: true; meta: CaptureMeta; folder: string; files: Entry[] }
  | { ok: false; folder: string; reason: string };

/**
 * Reads and checks one capture folder: the folder and index.html must be real (not links), the front matter YAML that
 * passes the schema, with hash_url equal to the folder name. `files` lists the folder's other entries with their own
 * types, so a caller serves only regular files. Never throws for a bad capture: it says why.
 */
export async function readCapture(cacheDir: string, hash: string): Promise<StoredCapture> {
  const folder = captureDir(cacheDir, hash);
  let entries: Entry[];
  try {
    const info = await lstat(folder);
    if (!info.isDirectory()) return { ok: false, folder, reason: `is ${info.isSymbolicLink() ? "a symbolic link" : "not a folder"}; it is not followed` };
    entries = await listEntries(folder);
  } catch (error) {
    return { ok: false, folder, reason: `could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
  const index = entries.find((entry) => entry.name === CAPTURE_FILE);
  if (!index) return { ok: false, folder, reason: `has no ${CAPTURE_FILE}` };
  if (index.kind !== "file") return { ok: false, folder, reason: `${CAPTURE_FILE} is ${describeKind(index.kind)}; it is not read` };
  let data: unknown;
  try {
    data = parseCaptureFile(await readRegularFile(path.join(folder, CAPTURE_FILE), "utf8")).data;
  } catch (error) {
    return { ok: false, folder, reason: (error as Error).message };
  }
  const checked = checkCaptureMeta(data, hash);
  if (!checked.ok) return { ok: false, folder, reason: checked.errors.join("; ") };
  return { ok: true, meta: checked.value, folder, files: entries.filter((entry) => entry.name !== CAPTURE_FILE) };
}

/**
 * The checked front matter of an existing capture, or undefined when there is none or it does not pass the schema
 * (such a capture is not on the site, so a refresh may replace it).
 */
export async function readCaptureMeta(cacheDir: string, hash: string): Promise<CaptureMeta | undefined> {
  const stored = await readCapture(cacheDir, hash);
  return stored.ok ? stored.meta : undefined;
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
  // Failure and status records are written to a .tmp file and renamed; a kill in between leaves the .tmp behind.
  for (const dir of [FAILURES_DIR, STATUS_DIR]) {
    try {
      for (const name of await readdir(path.join(cacheDir, dir))) {
        if (!name.endsWith(".tmp")) continue;
        await rm(path.join(cacheDir, dir, name), { force: true });
        removed += 1;
      }
    } catch {
      // No such folder yet.
    }
  }
  for (const name of entries) {
    if (!name.startsWith(`${CHECK_LOG_FILE}.`) || !name.endsWith(".tmp")) continue;
    await rm(path.join(cacheDir, name), { force: true }).catch(() => undefined);
    removed += 1;
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
    throw new CacheWriteError(`Could not create a work folder in ${cacheDir}: ${(cause as Error).message}. Check that the cache folder is writable.`, { cause });
  }
  return dir;
}

export async function discardWorkFolder(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
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

/**
 * Move a finished work folder into cache/<hash>/, replacing the previous capture, if any. The previous folder's
 * earlier versions (and the images they show) are carried into the work folder first, whatever the caller did, so a
 * swap never loses a version; `previousBecomesVersion` keeps the previous index.html as a version too.
 */
export async function commitCapture(cacheDir: string, hash: string, workDir: string, { previousBecomesVersion = false }: { previousBecomesVersion?: boolean } = {}): Promise<void> {
  const target = captureDir(cacheDir, hash);
  const relative = path.join(path.basename(cacheDir), hash, CAPTURE_FILE);
  try {
    await carryVersions(cacheDir, hash, workDir, { previousBecomesVersion });
  } catch (cause) {
    throw new CacheWriteError(`Could not keep the earlier versions of ${path.join(path.basename(cacheDir), hash)}: ${(cause as Error).message}`, { cause });
  }
  try {
    await rename(workDir, target);
    return;
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code !== "ENOTEMPTY" && code !== "EEXIST") {
      throw new CacheWriteError(`Could not write ${relative}: ${(cause as Error).message}`, { cause });
    }
  }
  // A directory cannot be renamed over a non-empty one: move the old one aside first (sweepWorkFolders
  // undoes this if we are killed in between).
  const aside = path.join(cacheDir, `${OLD_PREFIX}${hash}-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    await rename(target, aside);
    await rename(workDir, target);
  } catch (cause) {
    throw new CacheWriteError(`Could not replace ${relative}: ${(cause as Error).message}`, { cause });
  }
  await rm(aside, { recursive: true, force: true });
}

/**
 * Adds fields to the front matter of cache/<hash>/index.html, its body left byte for byte: written beside the cache
 * as a work file and renamed over index.html, so a kill leaves the old file or the new one (the sweep removes the
 * work file). The result must still pass the schema. Returns false when there is no readable capture.
 */
export async function updateCaptureMeta(cacheDir: string, hash: string, fields: Partial<CaptureMeta>): Promise<boolean> {
  const file = captureFile(cacheDir, hash);
  let text: string;
  try {
    text = await readRegularFile(file, "utf8");
  } catch {
    return false;
  }
  const { data } = parseCaptureFile(text);
  const checked = checkCaptureMeta({ ...(data as object), ...fields }, hash);
  if (!checked.ok) throw new CacheWriteError(`Could not update ${path.join(path.basename(cacheDir), hash, CAPTURE_FILE)}: ${checked.errors.join("; ")}`);
  const temp = path.join(cacheDir, `${WORK_PREFIX}${hash}-${process.pid}-${randomBytes(4).toString("hex")}`);
  await writeFileDurably(temp, renderCaptureFile({ ...(data as object), ...fields }, captureBodyOf(text)));
  await rename(temp, file);
  return true;
}
