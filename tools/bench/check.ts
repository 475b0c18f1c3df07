/**
 * (g) What the link watch costs where nothing changed (npm run check), each run in a child process of its own: over
 * the bench's archived pages as their server serves them (no validators, so every page comes back whole and is parsed
 * and compared), and over `validatorLinks` captures whose server answers their stored ETag with 304. Each is checked
 * twice; the first check records every link's first status, the second is the one measured: nothing changed, so it
 * should write no status record and find no new version.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { renderCaptureFile } from "../../src/cache/capture-file.ts";
import { hashUrl } from "../../src/cache/layout.ts";
import { runChild } from "./child.ts";
import type { CheckRunFigures } from "./check-run.ts";

export interface CheckBenchFigures {
  /** The bench's pages, served without validators. */
  pages: CheckRunFigures & { processMs: number; firstCheckMs: number };
  /** Links whose server answers 304 to the ETag their capture stored. */
  validators: CheckRunFigures & { processMs: number; firstCheckMs: number };
}

const HERE = path.dirname(new URL(import.meta.url).pathname);

async function twice(flags: string[]): Promise<CheckRunFigures & { processMs: number; firstCheckMs: number }> {
  const first = await runChild<CheckRunFigures>(path.join(HERE, "check-run.ts"), flags);
  const second = await runChild<CheckRunFigures>(path.join(HERE, "check-run.ts"), flags);
  return { ...second.result, processMs: second.processMs, firstCheckMs: first.result.wallMs };
}

/** `count` captures with an ETag each, and a server on 127.0.0.1 that answers that ETag with 304. */
async function validatorWorkspace(dir: string, count: number): Promise<{ linksFile: string; cacheDir: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const etag = `"${(req.url ?? "").replace(/\W/g, "")}"`;
    res.writeHead(req.headers["if-none-match"] === etag ? 304 : 200, { etag, "content-type": "text/html" });
    res.end(req.headers["if-none-match"] === etag ? undefined : "<p>changed</p>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const cacheDir = path.join(dir, "cache");
  const urls: string[] = [];
  for (let i = 0; i < count; i++) {
    const url = `${origin}/a/${i}`;
    const hash = hashUrl(url);
    urls.push(url);
    await mkdir(path.join(cacheDir, hash), { recursive: true });
    const meta = {
      title: `Article ${i}`, url, hash_url: hash, archived_at: "2024-01-01T00:00:00.000Z", final_url: url, status: "captured", kind: "article",
      content_type: "text/html", http_status: 200, word_count: 4, images: 0, images_failed: 0, content_sha256: "0".repeat(64), archiver: "link-archive/bench",
      etag: `"a${i}"`,
    }; // prettier-ignore
    await writeFile(path.join(cacheDir, hash, "index.html"), renderCaptureFile(meta, `<p>Article ${i}, archived earlier.</p>`));
  }
  const linksFile = path.join(dir, "links.txt");
  await writeFile(linksFile, `${urls.join("\n")}\n`);
  return { linksFile, cacheDir, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export async function benchCheck({ linksFile, cacheDir, workDir, validatorLinks, workers, log }: { linksFile: string; cacheDir: string; workDir: string; validatorLinks: number; workers?: number; log: (line: string) => void }): Promise<CheckBenchFigures> {
  const common = ["--allow-private-network", "--progress", "quiet", ...(workers === undefined ? [] : ["--workers", String(workers)])];
  log("(g) npm run check over the archived pages, twice (the second: nothing changed)");
  const pages = await twice(["--links", linksFile, "--cache", cacheDir, "--per-host", "4", ...common]);
  const workspace = await validatorWorkspace(path.join(workDir, "check-validators"), validatorLinks);
  try {
    log(`(g) npm run check over ${validatorLinks} links that answer 304, twice`);
    const validators = await twice(["--links", workspace.linksFile, "--cache", workspace.cacheDir, "--per-host", "4", ...common]);
    return { pages, validators };
  } finally {
    await workspace.close();
  }
}
