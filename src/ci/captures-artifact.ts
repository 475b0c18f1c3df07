/**
 * Captures passed from the job that parses strangers' pages (read-only token) to the job that commits them (write
 * token), as a folder uploaded as a workflow artifact: the changed files of cache/ and a manifest of what changed and
 * what was deleted. pack runs in the archive job; apply runs in the commit job and trusts nothing in the folder:
 * every path must name a file the archiver writes (the cache layout's isArchiveFile), every file must be a regular
 * file under the size limit, and nothing is written through a link.
 */
import { copyFile, lstat, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { isArchiveFile } from "../cache/layout.ts";
import { formatBytes } from "../util/bytes.ts";
import { changedPaths, MAX_FILE_BYTES } from "./commit-back.ts";

export const MANIFEST = "manifest.json";
export const SUMMARY = "summary.json";
/** More changed files than a run of even a large shard makes. */
const MAX_PATHS = 500_000;

interface Manifest {
  format: 1;
  files: string[];
  deleted: string[];
}

export interface Packed extends Manifest {
  /** Changed paths under the cache folder that are not the archiver's files (a stray file, a link): not carried. */
  skipped: string[];
}

/** Whether `file` (forward slashes, relative to the work tree) is one the archiver writes under `cacheDir`. */
export function isCacheFilePath(file: string, cacheDir = "cache"): boolean {
  const prefix = `${cacheDir.replace(/\/+$/, "")}/`;
  return file.startsWith(prefix) && isArchiveFile(file.slice(prefix.length));
}

/** Copies what the run changed under cacheDir into `out` (a new folder), with its manifest and the run's summary. */
export async function packCaptures({ cwd, cacheDir = "cache", out, summaryFile }: { cwd: string; cacheDir?: string; out: string; summaryFile?: string }): Promise<Packed> {
  const manifest: Manifest = { format: 1, files: [], deleted: [] };
  const skipped: string[] = [];
  for (const file of await changedPaths(cwd, cacheDir)) {
    if (!isCacheFilePath(file, cacheDir)) {
      skipped.push(file);
      continue;
    }
    let info;
    try {
      info = await lstat(path.join(cwd, file));
    } catch {
      manifest.deleted.push(file);
      continue;
    }
    // The archiver writes regular files only; anything else stays behind (and commit-back would refuse it anyway).
    if (!info.isFile()) {
      skipped.push(file);
      continue;
    }
    await mkdir(path.dirname(path.join(out, file)), { recursive: true });
    await copyFile(path.join(cwd, file), path.join(out, file));
    manifest.files.push(file);
  }
  await mkdir(out, { recursive: true });
  await writeFile(path.join(out, MANIFEST), `${JSON.stringify(manifest)}\n`);
  // No summary (the run never finished): the commit message says less, nothing else changes.
  if (summaryFile) await copyFile(summaryFile, path.join(out, SUMMARY)).catch(() => undefined);
  return { ...manifest, skipped };
}

export interface Applied {
  written: number;
  deleted: number;
  /** Each path refused, with why. */
  refused: string[];
}

/** Writes the artifact's files into the work tree's cache and deletes what it lists, refusing whatever breaks a rule. */
export async function applyCaptures({ from, cwd, cacheDir = "cache" }: { from: string; cwd: string; cacheDir?: string }): Promise<Applied> {
  const manifest = await readManifest(from);
  const applied: Applied = { written: 0, deleted: 0, refused: [] };
  const root = await lstat(path.join(cwd, cacheDir)).catch(() => undefined);
  if (root && !root.isDirectory()) {
    applied.refused.push(`${cacheDir}: not a folder in the work tree (a link?), nothing applied`);
    return applied;
  }
  for (const file of manifest.files) {
    if (!isCacheFilePath(file, cacheDir)) {
      applied.refused.push(`${printable(file)}: not a capture file or failure record`);
      continue;
    }
    const source = path.join(from, file);
    const info = await lstat(source).catch(() => undefined);
    if (!info?.isFile()) {
      applied.refused.push(`${file}: ${info ? "not a regular file" : "missing from the artifact"}`);
      continue;
    }
    if (info.size > MAX_FILE_BYTES) {
      applied.refused.push(`${file}: ${formatBytes(info.size)}, over the ${formatBytes(MAX_FILE_BYTES)} a committed file may be`);
      continue;
    }
    const folder = path.dirname(path.join(cwd, file));
    const existing = await lstat(folder).catch(() => undefined);
    if (existing && !existing.isDirectory()) {
      applied.refused.push(`${file}: its folder in the work tree is not a folder`);
      continue;
    }
    await mkdir(folder, { recursive: true });
    const target = path.join(cwd, file);
    // Never write through a link that the checkout holds: replace it.
    if ((await lstat(target).catch(() => undefined))?.isSymbolicLink()) await rm(target);
    await copyFile(source, target);
    applied.written += 1;
  }
  for (const file of manifest.deleted) {
    if (!isCacheFilePath(file, cacheDir)) {
      applied.refused.push(`${printable(file)}: not a capture file or failure record, not deleted`);
      continue;
    }
    await rm(path.join(cwd, file), { force: true });
    applied.deleted += 1;
  }
  return applied;
}

async function readManifest(from: string): Promise<Manifest> {
  const text = await readFile(path.join(from, MANIFEST), "utf8");
  const value = JSON.parse(text) as Partial<Manifest>;
  const list = (v: unknown) => Array.isArray(v) && v.length <= MAX_PATHS && v.every((p) => typeof p === "string" && p.length <= 1000);
  if (value.format !== 1 || !list(value.files) || !list(value.deleted)) throw new Error(`${path.join(from, MANIFEST)} is not a captures manifest`);
  return value as Manifest;
}

/** A path from the artifact, shown in a log line: control characters out, cut short. */
function printable(file: string): string {
  const flat = file.replace(/[\u0000-\u001f\u007f]/g, "?");
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
