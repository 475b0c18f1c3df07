/**
 * The lookup files site/mirror.js reads on a blog: /mirror/<xx>.json for each of the 256 two-hex-digit shards, xx
 * being the first two digits of md5(nearKey(url)), so a link and its near duplicates (src/links/near.ts) land in the
 * same small file and a blog page downloads only the shards its links fall in, never the whole archive. Every shard
 * is written, empty or not: a missing one would be a 404 in the blog's console. Input: the captures; output: the
 * files under <site>/mirror/. Format (a public contract for mirror.js and build-time snippets, docs/blogging.md):
 *   { "format": 1, "captures": [ { "url", "hash_url", "archived_at", "version", "status"? } ] }
 * `version` is the YYYYMMDDhhmmss of the pinned version (/<hash_url>/<version>/); `status` is what the link watch knows
 * of the original (alive, changed, moved, gone, unreachable) and absent when nothing is known (a reader treats absent
 * as unknown); mirror.js's gone mode shows a mirror for "gone" and "unreachable".
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { hashUrl, versionStamp } from "../cache/layout.ts";
import { nearKey } from "../links/near.ts";
import type { Capture } from "./data.ts";

export const LOOKUP_DIR = "mirror";
export const LOOKUP_FORMAT = 1;

export interface LookupEntry {
  url: string;
  hash_url: string;
  archived_at: string;
  version: string;
  status?: string;
}

/** The shard a URL is listed in (mirror.js computes the same from a link's href). */
export function lookupShard(url: string): string {
  return hashUrl(nearKey(url) ?? url.trim()).slice(0, 2);
}

/** Every shard, "00" to "ff", with its entries sorted by URL (identical builds give identical files). */
export function mirrorLookup(captures: readonly Capture[]): Map<string, LookupEntry[]> {
  const shards = new Map<string, LookupEntry[]>();
  for (let i = 0; i < 256; i++) shards.set(i.toString(16).padStart(2, "0"), []);
  for (const capture of captures) {
    shards.get(lookupShard(capture.url))!.push({
      url: capture.url,
      hash_url: capture.hash_url,
      archived_at: capture.archived_at,
      version: versionStamp(capture.archived_at),
      ...(capture.originalStatus && capture.originalStatus !== "unknown" ? { status: capture.originalStatus } : {}),
    });
  }
  for (const entries of shards.values()) entries.sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  return shards;
}

export async function writeMirrorLookup(captures: readonly Capture[], outDir: string): Promise<void> {
  const dir = path.join(outDir, LOOKUP_DIR);
  await mkdir(dir, { recursive: true });
  await Promise.all(
    [...mirrorLookup(captures)].map(([shard, entries]) => writeFile(path.join(dir, `${shard}.json`), `${JSON.stringify({ format: LOOKUP_FORMAT, captures: entries })}\n`)),
  );
}
