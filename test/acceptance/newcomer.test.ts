/**
 * A newcomer's first minutes, on a clean clone: the repository as committed (HEAD) is cloned into a temp folder and
 * the README's commands run there as written, with a local node:http server standing in for the internet. Whatever is
 * not committed is missing from the clone, as it would be on CI or a stranger's machine, so this fails until it is.
 * One clone and one `npm install` serve every case. `npm test` is not run inside the clone: it would run this again.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { appendFile, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseCaptureFile } from "../../src/cache/capture-file.ts";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashUrl } from "../../src/cache/layout.ts";
import { html, startServer, type TestServer } from "../helpers/server.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));

interface Run {
  command: string;
  code: number | null;
  /** stdout and stderr, interleaved as they came. */
  output: string;
  ms: number;
}

/** The environment of someone who just opened a terminal: none of this test runner's npm, Node or project settings. */
function newcomerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // Where npm finds packages (cache, registry, proxy) is the machine's, not the project's: those are kept.
  const keepNpm = /^npm_config_(cache|registry|proxy|https_proxy|noproxy|cafile|strict_ssl|offline|prefer_offline)$/i;
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) && !keepNpm.test(key)) continue;
    if (/^(INIT_CWD|NODE_OPTIONS|NODE_ENV|NODE_PATH|VITEST.*|TEST|FORCE_COLOR|ARCHIVE_.*|SITE_.*|GITHUB_.*|TSX_.*)$/i.test(key)) continue;
    env[key] = value;
  }
  // The runner put this checkout's node_modules/.bin (and its Node 24) first on PATH; a newcomer has neither.
  env.PATH = (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((dir) => !dir.split(path.sep).includes("node_modules"))
    .join(path.delimiter);
  return { ...env, NO_COLOR: "1", npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false", ...extra };
}

/** Runs one shell command in `cwd`; a command that outlives `timeoutMs` is killed with its whole process group. */
function run(command: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", command], { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      output += `\n[killed after ${timeoutMs} ms]\n`;
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ command, code, output, ms: Math.round(performance.now() - started) });
    });
  });
}

/** The commands of the README's "## The two commands" block, one entry a line, comments dropped. */
function readmeCommands(readme: string): string[] {
  const section = readme.split(/^## The two commands\s*$/m)[1];
  const block = section && /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md has no ```sh block under "## The two commands"');
  return block
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line !== "");
}

const ARTICLE = (title: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<meta name="author" content="Grace Hopper"></head>
<body><nav><a href="/">Home</a></nav><article><h1>${title}</h1>
<p>The first paragraph of an article a newcomer wants to keep, long enough that Readability takes it for the main text of the page.</p>
<p>A second paragraph about compilers, debugging and the moth taped into a logbook, with commas, clauses and detail, as real articles have.</p>
<img src="/img/photo.png" alt="A photo of the logbook">
<p>A third paragraph, so the article has some weight: nanoseconds as lengths of wire, handed out at lectures, to show how far light travels.</p>
</article><script>document.title = "pwned"</script></body></html>`;

let tmp: string;
let clone: string;
let web: TestServer;
let commands: string[];
/** Tracked changes and untracked files of the repository under test: what the clone will not have. */
let uncommitted: string;
/** The README's first line, command by command: npm install, then npm start. */
let firstLine: Run[] = [];
const pages = () => [web.url("/compilers"), web.url("/nanoseconds")];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "newcomer-"));
  const root = spawnSync("git", ["rev-parse", "--show-toplevel"], { cwd: HERE, encoding: "utf8" }).stdout.trim();
  uncommitted = spawnSync("git", ["status", "--porcelain"], { cwd: root, encoding: "utf8" }).stdout.trim();
  if (uncommitted) console.warn(`Not committed, so not in the clone this test runs:\n${uncommitted}`);
  clone = path.join(tmp, "link-archive");
  const cloned = spawnSync("git", ["clone", "--quiet", root, clone], { encoding: "utf8" });
  if (cloned.status !== 0) throw new Error(`git clone ${root} failed: ${cloned.stderr}`);
  commands = readmeCommands(await readFile(path.join(clone, "README.md"), "utf8"));

  const photo = await sharp({ create: { width: 1200, height: 600, channels: 3, background: "#884422" } }).png().toBuffer();
  web = await startServer({
    "/compilers": html(ARTICLE("The first capture of a newcomer")),
    "/nanoseconds": html(ARTICLE("Nanoseconds as lengths of wire")),
    "/img/photo.png": (_req, res) => {
      res.writeHead(200, { "content-type": "image/png" });
      res.end(photo);
    },
  });
  // A newcomer appends the URLs they want to keep to links.txt.
  await appendFile(path.join(clone, "links.txt"), `${pages().join("\n")}\n`);

  // The README's first line as a shell would run it: each command of `a && b` only if the one before succeeded.
  const env = newcomerEnv({ ARCHIVE_ALLOW_PRIVATE_NETWORK: "true", TMPDIR: tmp });
  for (const command of (commands[0] ?? "").split("&&").map((c) => c.trim())) {
    const result = await run(command, clone, env, 300_000);
    firstLine.push(result);
    console.log(`newcomer: \`${command}\` exited ${result.code} after ${(result.ms / 1000).toFixed(1)} s`);
    if (result.code !== 0) break;
  }
}, 660_000);

afterAll(async () => {
  await web?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe("a newcomer on a fresh clone", () => {
  it("finds the two commands this test runs in the README", () => {
    expect(commands).toEqual(["npm install && npm start", "npm test"]);
  });

  it("installs and starts with the README's first command, and is told how to preview the site", () => {
    const failed = firstLine.find((r) => r.code !== 0);
    const why = failed && `\`${failed.command}\` exited ${failed.code}; not committed (so not in the clone): ${uncommitted || "nothing"}\n${failed.output.slice(-4000)}`;
    expect(failed, why).toBeUndefined();
    expect(firstLine.map((r) => r.command)).toEqual(["npm install", "npm start"]);
    const start = firstLine[1]!.output;
    expect(start).toContain("npm run serve");
    expect(start).toMatch(/The site is in _site\//);
  });

  it("has each link of links.txt captured in cache/<md5>/index.html and published at _site/<md5>/", async () => {
    for (const url of pages()) {
      const capture = parseCaptureFile(await readFile(path.join(clone, "cache", hashUrl(url), "index.html"), "utf8"));
      const data = capture.data as Record<string, unknown>;
      expect(data).toMatchObject({ url, hash_url: hashUrl(url), images: 1, images_failed: 0 });
      const page = await readFile(path.join(clone, "_site", hashUrl(url), "index.html"), "utf8");
      expect(page).toContain(data.title as string);
    }
    expect(existsSync(path.join(clone, "_site", "index.html"))).toBe(true);
  });

  it("still finishes offline: an unreachable host and a name that does not resolve are reported and the site builds", async () => {
    // A port that was just free and is closed again: nothing listens there.
    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const refused = `http://127.0.0.1:${closed}/moved-away`;
    const unresolvable = "http://archive-newcomer-test.invalid/article";
    await appendFile(path.join(clone, "links.txt"), `${refused}\n${unresolvable}\n`);

    const result = await run("npm start", clone, newcomerEnv({ ARCHIVE_ALLOW_PRIVATE_NETWORK: "true", TMPDIR: tmp }), 180_000);

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(refused);
    expect(result.output).toContain(unresolvable);
    expect(result.output).toMatch(/some links failed/);
    expect(result.output).toContain("npm run serve");
    for (const url of [refused, unresolvable]) expect(existsSync(path.join(clone, "cache", "_failures", `${hashUrl(url)}.json`)), url).toBe(true);
    // Built from what is cached: the earlier captures are still published, and the failures page names the new ones.
    for (const url of pages()) expect(existsSync(path.join(clone, "_site", hashUrl(url), "index.html")), url).toBe(true);
    const failuresPage = await readFile(path.join(clone, "_site", "failures", "index.html"), "utf8");
    expect(failuresPage).toContain(refused);
    expect(failuresPage).toContain(unresolvable);
  }, 200_000);

  it("takes the tour with `npm run demo -- --once`, without internet and without touching the clone's archive", async () => {
    const listing = async () => [...(await readdir(path.join(clone, "cache"))).sort(), await readFile(path.join(clone, "links.txt"), "utf8")];
    const before = await listing();
    // No ARCHIVE_ALLOW_PRIVATE_NETWORK here: the tour sets what it needs itself.
    const result = await run("npm run demo -- --once", clone, newcomerEnv({ TMPDIR: tmp }), 180_000);

    expect(result.code, `${result.output}\nnot committed (so not in the clone): ${uncommitted || "nothing"}`).toBe(0);
    const folder = /The tour's site is in (\S+)/.exec(result.output)?.[1];
    expect(folder, result.output).toBeTruthy();
    expect(folder!.startsWith(tmp)).toBe(true);
    expect(existsSync(path.join(folder!, "index.html"))).toBe(true);
    expect(result.output).toMatch(/captured\s+\[\d+\] http:\/\/127\.0\.0\.1:\d+\/tour\//);
    expect(await listing()).toEqual(before);
  }, 200_000);

  it("passes `npm run typecheck`", async () => {
    const result = await run("npm run typecheck", clone, newcomerEnv(), 180_000);
    expect(result.code, result.output).toBe(0);
  }, 200_000);
});
