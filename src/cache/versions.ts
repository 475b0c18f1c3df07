/**
 * Earlier versions of a capture (DESIGN.md "Capture folder"): `cache/<hash>/<YYYYMMDDhhmmss>.html` beside index.html,
 * in the same format. Listing and reading them (through the schema), and carrying them into the work folder of a new
 * capture before it is renamed into place, with the images they show: images are named by content and shared between
 * versions, so an image the current version dropped stays while an older version still shows it. Never deletes.
 */
import { copyFile, link } from "node:fs/promises";
import path from "node:path";
import { captureBodyOf, parseCaptureFile } from "./capture-file.ts";
import { listEntries, readRegularFile, type Entry } from "./files.ts";
import { CAPTURE_FILE, IMAGE_FILE, captureDir, stampOfVersionFile, versionFileName, versionStamp } from "./layout.ts";
import { checkCaptureMeta } from "./schema.ts";
import type { CaptureMeta } from "./types.ts";

/** A version file, read and checked; or why it cannot be used. */
export type StoredVersion = { ok: true; stamp: string; file: string; meta: CaptureMeta } | { ok: false; stamp: string; file: string; reason: string };

/** The stamps of a folder's version files, oldest first (symbolic links and other non-files are not versions). */
export function versionStampsOf(entries: readonly Entry[]): string[] {
  return entries
    .filter((entry) => entry.kind === "file")
    .map((entry) => stampOfVersionFile(entry.name))
    .filter((stamp): stamp is string => stamp !== undefined)
    .sort();
}

/**
 * Reads one version file of cache/<hash>/. Its front matter must pass the schema for that folder, and its archived_at
 * must be the stamp it is named by: the name is its permanent address.
 */
export async function readVersion(cacheDir: string, hash: string, stamp: string): Promise<StoredVersion> {
  const name = versionFileName(stamp);
  const file = path.join(captureDir(cacheDir, hash), name);
  try {
    const checked = checkCaptureMeta(parseCaptureFile(await readRegularFile(file, "utf8")).data, hash);
    if (!checked.ok) return { ok: false, stamp, file, reason: `${name}: ${checked.errors.join("; ")}` };
    if (versionStamp(checked.value.archived_at) !== stamp) return { ok: false, stamp, file, reason: `${name}: its archived_at is not the time it is named by` };
    return { ok: true, stamp, file, meta: checked.value };
  } catch (error) {
    return { ok: false, stamp, file, reason: `${name}: ${(error as Error).message}` };
  }
}

/** Stored image names a capture body shows (the sanitizer keeps only these as <img src>). */
export function imagesOf(body: string): Set<string> {
  const names = new Set<string>();
  for (const m of body.matchAll(/<img\b[^>]*?\ssrc="([0-9a-f]{32}\.(?:webp|avif))"/g)) names.add(m[1]!);
  return names;
}

/** Link where the file system allows (the work folder is on the same one), else copy: the old folder is deleted after the swap. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  await link(from, to).catch(() => copyFile(from, to));
}

/**
 * Before a new capture replaces cache/<hash>/: every version file of the old folder goes into `workDir` too, and with
 * `previousBecomesVersion` the old index.html as `<its stamp>.html`; then every image of the old folder that one of
 * the versions shows and the work folder lacks. Idempotent (files already in the work folder are left alone), so
 * store.ts calls it again as a safety net right before the swap. Returns the stamps now kept as versions.
 */
export async function carryVersions(cacheDir: string, hash: string, workDir: string, { previousBecomesVersion }: { previousBecomesVersion: boolean }): Promise<string[]> {
  const folder = captureDir(cacheDir, hash);
  let old: Entry[];
  try {
    old = await listEntries(folder);
  } catch {
    return [];
  }
  const have = new Set((await listEntries(workDir)).map((entry) => entry.name));
  const bodies: string[] = [];
  for (const stamp of versionStampsOf(old)) {
    const name = versionFileName(stamp);
    if (!have.has(name)) {
      await linkOrCopy(path.join(folder, name), path.join(workDir, name));
      have.add(name);
    }
    bodies.push(captureBodyOf(await readRegularFile(path.join(workDir, name), "utf8")));
  }
  const index = old.find((entry) => entry.name === CAPTURE_FILE && entry.kind === "file");
  if (previousBecomesVersion && index) {
    const text = await readRegularFile(path.join(folder, CAPTURE_FILE), "utf8");
    const checked = checkCaptureMeta(parseCaptureFile(text).data, hash);
    if (checked.ok) {
      const name = versionFileName(versionStamp(checked.value.archived_at));
      if (!have.has(name)) {
        await linkOrCopy(path.join(folder, CAPTURE_FILE), path.join(workDir, name));
        have.add(name);
      }
      bodies.push(captureBodyOf(text));
    }
  }
  const wanted = new Set(bodies.flatMap((body) => [...imagesOf(body)]));
  for (const entry of old) {
    if (entry.kind !== "file" || !IMAGE_FILE.test(entry.name) || have.has(entry.name) || !wanted.has(entry.name)) continue;
    await linkOrCopy(path.join(folder, entry.name), path.join(workDir, entry.name));
    have.add(entry.name);
  }
  return versionStampsOf((await listEntries(workDir)));
}
