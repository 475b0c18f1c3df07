/** Shared set-up for tests that run the real archiver: a temp cache, a links file, a config with short bounds. */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseCaptureFile } from "../../src/cache/capture-file.ts";
import { resolveConfig } from "../../src/archive/config.ts";
import type { ArchiveConfig } from "../../src/archive/types.ts";
import type { CaptureMeta } from "../../src/cache/types.ts";

export interface Workspace {
  dir: string;
  cacheDir: string;
  linksFile: string;
  writeLinks(lines: string[]): Promise<void>;
  /** A config as the CLI would resolve it from these flags (plus --allow-private-network, short timeouts). */
  config(extraFlags?: string[]): ArchiveConfig;
  flags(extraFlags?: string[]): string[];
}

export async function makeWorkspace(): Promise<Workspace> {
  const dir = await mkdtemp(path.join(tmpdir(), "archive-test-"));
  const cacheDir = path.join(dir, "cache");
  const linksFile = path.join(dir, "links.txt");
  const flags = (extra: string[] = []) => [
    "--links", linksFile,
    "--cache", cacheDir,
    "--allow-private-network",
    "--timeout", "4000",
    "--headers-timeout", "2000",
    "--idle-timeout", "1500",
    "--connect-timeout", "1000",
    "--image-timeout", "3000",
    "--retries", "1",
    "--progress", "quiet",
    // Never the real Internet Archive: the fallback's own tests pass --wayback-fallback and a local fake's address.
    "--no-wayback-fallback",
    ...extra,
  ];
  return {
    dir,
    cacheDir,
    linksFile,
    writeLinks: (lines) => writeFile(linksFile, `${lines.join("\n")}\n`),
    flags,
    config: (extra = []) => {
      const { config } = resolveConfig(flags(extra), {}, dir);
      // Tests are about behaviour, not patience: retry after 50 ms, not a second.
      config.fetch.retryBaseDelayMs = 50;
      config.fetch.maxRetryDelayMs = 200;
      return config;
    },
  };
}

export async function readCapture(cacheDir: string, hash: string): Promise<{ meta: CaptureMeta; html: string }> {
  const parsed = parseCaptureFile(await readFile(path.join(cacheDir, hash, "index.html"), "utf8"));
  return { meta: parsed.data as CaptureMeta, html: parsed.body };
}
