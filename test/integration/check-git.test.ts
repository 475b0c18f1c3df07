/**
 * Git stays small: a check over thousands of unchanged links, in a real git repository made in a temp folder, changes
 * one file (the check log) once every link's first status is recorded, however many links there are.
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveCheckConfig } from "../../src/archive/check/config.ts";
import { checkLinks } from "../../src/archive/check/run.ts";
import { renderCaptureFile } from "../../src/cache/capture-file.ts";
import { hashUrl } from "../../src/cache/layout.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

const LINKS = 2000;
let server: TestServer;
let repo: string;
let asked = 0;
let conditional = 0;

const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" } });

beforeAll(async () => {
  server = await startServer();
  repo = await mkdtemp(path.join(tmpdir(), "check-git-"));
  const urls: string[] = [];
  for (let i = 0; i < LINKS; i++) {
    const url = server.url(`/p/${i}`);
    urls.push(url);
    server.route(`/p/${i}`, (req, res) => {
      asked++;
      if (req.headers["if-none-match"] === `"${i}"`) conditional++;
      res.writeHead(req.headers["if-none-match"] === `"${i}"` ? 304 : 500, { etag: `"${i}"` });
      res.end();
    });
    const hash = hashUrl(url);
    await mkdir(path.join(repo, "cache", hash), { recursive: true });
    const meta = {
      title: `Article ${i}`, url, hash_url: hash, archived_at: "2026-01-01T00:00:00.000Z", final_url: url, status: "captured", kind: "article",
      content_type: "text/html", http_status: 200, word_count: 4, images: 0, images_failed: 0, content_sha256: "0".repeat(64), archiver: "test", etag: `"${i}"`,
    }; // prettier-ignore
    await writeFile(path.join(repo, "cache", hash, "index.html"), renderCaptureFile(meta, `<p>Article number ${i} here.</p>`));
  }
  await writeFile(path.join(repo, "links.txt"), `${urls.join("\n")}\n`);
  git("init", "-q");
  git("add", "-A");
  git("commit", "-qm", "captures");
}, 120_000);

afterAll(async () => {
  await server?.close();
  await rm(repo, { recursive: true, force: true });
});

const check = async () => {
  const { config } = resolveCheckConfig(["--allow-private-network", "--per-host", "8", "--concurrency", "8", "--retries", "0", "--progress", "quiet"], {}, repo);
  return checkLinks(config);
};

describe("a check over thousands of unchanged links", () => {
  it("sends a conditional request for each, reads no body, and then changes nothing but the check log", async () => {
    const first = await check();
    expect(first.counts.alive).toBe(LINKS);
    // The first check records each link's first status: a one-time transition from unknown.
    expect(first.written).toBe(LINKS);
    git("add", "-A");
    git("commit", "-qm", "first check");

    asked = 0;
    conditional = 0;
    const second = await check();
    expect(second).toMatchObject({ checked: LINKS, written: 0, requests: LINKS, bytes: 0, newVersions: 0 });
    expect(second.counts.alive).toBe(LINKS);
    expect([asked, conditional]).toEqual([LINKS, LINKS]);
    expect(git("status", "--porcelain", "--untracked-files=all").trimEnd().split("\n")).toEqual([" M cache/_checks.json"]);
  }, 120_000);
});
