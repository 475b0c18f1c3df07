/**
 * Verify over a whole cache folder: every capture folder (by name, as the site would load it), each checked by
 * verifyCapture. A memo file (kept between builds, like the search cache) remembers the fingerprint of each capture
 * that passed, so a rebuild re-checks only captures whose files changed. Output: the failed captures with their
 * problems, and counts. Never throws for one bad capture.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import pLimit from "p-limit";
import { listEntries } from "../cache/files.ts";
import { CAPTURE_FILE, CAPTURE_KEY, CHECK_LOG_FILE, STATUS_DIR } from "../cache/layout.ts";
import { inspectCheckLog, readStatuses } from "../cache/status.ts";
import { fingerprintOf, verifyCapture, type VerifyOptions } from "./verify.ts";

/**
 * What a passing verdict depends on besides the files: verify's own rules (bump the number when they change) and the
 * sanitizer (its source, hashed), so a stricter sanitizer re-checks every capture.
 */
const MEMO_FORMAT = `2:${createHash("sha256").update(readFileSync(new URL("../archive/sanitize.ts", import.meta.url))).digest("hex").slice(0, 16)}`;

export interface ArchiveVerdict {
  checked: number;
  /** Captures whose fingerprint had passed before, not checked again. */
  remembered: number;
  failed: Array<{ key: string; problems: string[] }>;
  /**
   * The link watch's records that fail their schema (`_status/<hash>.json`, `_checks.json`), by path under the cache
   * folder: the site ignores them (the original's status shows as unknown), and verify names them.
   */
  records: Array<{ where: string; problem: string }>;
}

export async function verifyArchive(cacheDir: string, options: VerifyOptions & { memoFile?: string; keys?: Iterable<string> }): Promise<ArchiveVerdict> {
  const entries = await listEntries(cacheDir).catch(() => []);
  const wanted = options.keys ? new Set(options.keys) : undefined;
  const keys = entries
    .filter((entry) => CAPTURE_KEY.test(entry.name) && (!wanted || wanted.has(entry.name)))
    .map((entry) => entry.name)
    .sort();
  const memo = await readMemo(options.memoFile, options.decode);
  const next: Record<string, string> = {};
  const failed: ArchiveVerdict["failed"] = [];
  let remembered = 0;
  // A few folders at once: the work is reading files, sanitizing and decoding, most of it off the main thread.
  const limit = pLimit(4);
  await Promise.all(
    keys.map((key) =>
      limit(async () => {
        let fingerprint: string | undefined;
        try {
          const names = (await listEntries(path.join(cacheDir, key))).filter((e) => e.kind === "file").map((e) => e.name);
          if (names.includes(CAPTURE_FILE)) fingerprint = await fingerprintOf(cacheDir, key, names);
        } catch {
          fingerprint = undefined; // verifyCapture says what is wrong with the folder
        }
        if (fingerprint && memo[key] === fingerprint) {
          remembered += 1;
          next[key] = fingerprint;
          return;
        }
        const problems = await verifyCapture(cacheDir, key, options).catch((error: Error) => [`could not be checked: ${error.message}`]);
        if (problems.length) failed.push({ key, problems });
        else if (fingerprint) next[key] = fingerprint;
      }),
    ),
  );
  await writeMemo(options.memoFile, options.decode, next);
  failed.sort((a, b) => a.key.localeCompare(b.key));
  return { checked: keys.length - remembered, remembered, failed, records: await verifyRecords(cacheDir) };
}

/** The status records and the check log, through the cache module's own readers and schema. */
async function verifyRecords(cacheDir: string): Promise<ArchiveVerdict["records"]> {
  const { problems } = await readStatuses(cacheDir);
  const records = problems.map((p) => ({ where: `${STATUS_DIR}/${p.name}`, problem: p.reason }));
  const log = await inspectCheckLog(cacheDir);
  if (log) records.push({ where: CHECK_LOG_FILE, problem: log });
  return records;
}

/** A memo made with decoding off cannot vouch for a check with it on. */
async function readMemo(file: string | undefined, decode: boolean): Promise<Record<string, string>> {
  if (!file) return {};
  try {
    const memo = JSON.parse(await readFile(file, "utf8")) as { format?: string; decode?: boolean; passed?: Record<string, string> };
    return memo.format === MEMO_FORMAT && (memo.decode === true || !decode) && memo.passed ? memo.passed : {};
  } catch {
    return {};
  }
}

async function writeMemo(file: string | undefined, decode: boolean, passed: Record<string, string>): Promise<void> {
  if (!file) return;
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify({ format: MEMO_FORMAT, decode, passed })}\n`);
  await rename(temp, file);
}
