import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { hashUrl } from "../../src/cache/layout.ts";
import { parseCaptureFile, renderCaptureFile } from "../../src/cache/capture-file.ts";
import { clearFailure, readFailures, recordFailure } from "../../src/cache/failures.ts";
import { commitCapture, createWorkFolder, listCaptures, readCapture, readCaptureMeta, sweepWorkFolders } from "../../src/cache/store.ts";
import type { CaptureMeta } from "../../src/cache/types.ts";

const url = "https://example.com/post";
const hash = hashUrl(url);

function meta(title: string): CaptureMeta {
  return {
    title,
    url,
    hash_url: hash,
    archived_at: "2026-01-01T00:00:00.000Z",
    final_url: url,
    status: "captured",
    kind: "article",
    content_type: "text/html",
    http_status: 200,
    byline: undefined,
    word_count: 2,
    images: 0,
    images_failed: 0,
    content_sha256: "x",
    archiver: "test",
  };
}

async function capture(cacheDir: string, title: string, body: string): Promise<void> {
  const work = await createWorkFolder(cacheDir, hash);
  await writeFile(path.join(work, "index.html"), renderCaptureFile(meta(title), body));
  await commitCapture(cacheDir, hash, work);
}

describe("store", () => {
  let cacheDir: string;
  beforeEach(async () => {
    cacheDir = await mkdtemp(path.join(tmpdir(), "store-"));
  });

  it("writes front matter then the body, leaving out absent fields", async () => {
    await capture(cacheDir, 'A "quoted": title --- with yaml: traps', "<p>Hello world</p>");
    const text = await readFile(path.join(cacheDir, hash, "index.html"), "utf8");
    const parsed = parseCaptureFile(text);
    const data = parsed.data as Record<string, unknown>;
    expect(data.title).toBe('A "quoted": title --- with yaml: traps');
    expect(data.hash_url).toBe(hash);
    expect("byline" in data).toBe(false);
    expect(parsed.body).toBe("<p>Hello world</p>\n");
  });

  it("replaces a capture with a new one and leaves no work folders behind", async () => {
    await capture(cacheDir, "old", "<p>old</p>");
    await capture(cacheDir, "new", "<p>new</p>");
    expect((await readCaptureMeta(cacheDir, hash))?.title).toBe("new");
    expect(await readdir(cacheDir)).toEqual([hash]);
    expect([...(await listCaptures(cacheDir))]).toEqual([hash]);
  });

  it("restores the old capture when a run was killed between moving it aside and moving the new one in", async () => {
    await capture(cacheDir, "old", "<p>old</p>");
    // The state a kill between the two renames of commitCapture leaves: old moved aside, new still a work folder.
    const { rename } = await import("node:fs/promises");
    await rename(path.join(cacheDir, hash), path.join(cacheDir, `.old-${hash}-99999998-abcd`));
    const work = await createWorkFolder(cacheDir, hash);
    await writeFile(path.join(work, "index.html"), "half a capt");
    expect(await sweepWorkFolders(cacheDir)).toEqual({ removed: 1, restored: 1 });
    expect((await readCaptureMeta(cacheDir, hash))?.title).toBe("old");
    expect(await readdir(cacheDir)).toEqual([hash]);
  });

  it("deletes the moved-aside copy when the new capture had already made it into place", async () => {
    await capture(cacheDir, "new", "<p>new</p>");
    await mkdir(path.join(cacheDir, `.old-${hash}-99999999-ffff`));
    await sweepWorkFolders(cacheDir);
    expect(await readdir(cacheDir)).toEqual([hash]);
    expect((await readCaptureMeta(cacheDir, hash))?.title).toBe("new");
  });

  it("leaves alone the work folders of another run that is still alive", async () => {
    // process.ppid is alive for as long as this test runs: it stands for a second archive run on the same cache.
    const live = path.join(cacheDir, `.tmp-${hash}-${process.ppid}-abcd1234`);
    const dead = path.join(cacheDir, `.tmp-${hash}-99999999-abcd1234`);
    await mkdir(live);
    await mkdir(dead);
    expect(await sweepWorkFolders(cacheDir)).toEqual({ removed: 1, restored: 0 });
    expect(await readdir(cacheDir)).toEqual([path.basename(live)]);
  });

  it("counts attempts across failures and forgets them once cleared", async () => {
    const link = { url, hash, line: 3 };
    await recordFailure(cacheDir, link, { code: "ARCHIVE_HTTP_STATUS", reason: "404", keptPrevious: false, at: new Date("2026-01-01") });
    const second = await recordFailure(cacheDir, link, { code: "ARCHIVE_NETWORK", reason: "reset", keptPrevious: false, at: new Date("2026-01-02") });
    expect(second).toMatchObject({ attempts: 2, first_failed_at: "2026-01-01T00:00:00.000Z", last_failed_at: "2026-01-02T00:00:00.000Z", code: "ARCHIVE_NETWORK", line: 3 });
    expect((await readFailures(cacheDir)).failures).toHaveLength(1);
    await clearFailure(cacheDir, hash);
    expect(await readFailures(cacheDir)).toEqual({ failures: [], problems: [] });
  });

  it("does not list work folders or the failures folder as captures", async () => {
    await capture(cacheDir, "t", "<p>x</p>");
    await createWorkFolder(cacheDir, hash);
    await recordFailure(cacheDir, { url: "https://x.example/", hash: hashUrl("https://x.example/"), line: 1 }, { code: "C", reason: "r", keptPrevious: false, at: new Date() });
    expect([...(await listCaptures(cacheDir))]).toEqual([hash]);
  });

  it("refuses a capture folder that is a symbolic link, by name, and does not count it as cached", async () => {
    const elsewhere = await mkdtemp(path.join(tmpdir(), "elsewhere-"));
    await writeFile(path.join(elsewhere, "index.html"), renderCaptureFile(meta("planted"), "<p>x</p>"));
    await symlink(elsewhere, path.join(cacheDir, hash));
    expect(await readCapture(cacheDir, hash)).toEqual({ ok: false, folder: path.join(cacheDir, hash), reason: expect.stringMatching(/symbolic link/) });
    expect(await readCaptureMeta(cacheDir, hash)).toBeUndefined();
    expect([...(await listCaptures(cacheDir))]).toEqual([]);
  });

  it("refuses an index.html that is a symbolic link, and lists other links in the folder as links", async () => {
    const secret = path.join(cacheDir, "..", `secret-${path.basename(cacheDir)}.txt`);
    await writeFile(secret, renderCaptureFile(meta("secret"), "TOP SECRET"));
    await mkdir(path.join(cacheDir, hash));
    await symlink(secret, path.join(cacheDir, hash, "index.html"));
    expect(await readCapture(cacheDir, hash)).toMatchObject({ ok: false, reason: "index.html is a symbolic link; it is not read" });

    await capture(cacheDir, "real", "<p>x</p>");
    await symlink("/etc/hostname", path.join(cacheDir, hash, "0123456789abcdef0123456789abcdef.webp"));
    const stored = await readCapture(cacheDir, hash);
    expect(stored).toMatchObject({ ok: true, files: [{ name: "0123456789abcdef0123456789abcdef.webp", kind: "symlink" }] });
  });

  it("refuses front matter in JavaScript when the archiver reads a capture, without running it", async () => {
    await mkdir(path.join(cacheDir, hash));
    await writeFile(path.join(cacheDir, hash, "index.html"), `---js\n{ title: (globalThis.storeRan = "ran"), url: "${url}", hash_url: "${hash}" }\n---\n<p>x</p>\n`);
    expect(await readCaptureMeta(cacheDir, hash)).toBeUndefined();
    expect((globalThis as { storeRan?: string }).storeRan).toBeUndefined();
  });

  it("reports a failure record that is a symbolic link instead of reading it", async () => {
    await mkdir(path.join(cacheDir, "_failures"));
    await symlink("/etc/passwd", path.join(cacheDir, "_failures", `${hash}.json`));
    expect(await readFailures(cacheDir)).toEqual({ failures: [], problems: [{ name: `${hash}.json`, reason: expect.stringMatching(/symbolic link/) }] });
  });
});

describe("store, with versions", () => {
  const image = (c: string) => `${c.repeat(32)}.webp`;
  const write = async (cacheDir: string, archivedAt: string, body: string, images: string[], previousBecomesVersion: boolean) => {
    const work = await createWorkFolder(cacheDir, hash);
    await writeFile(path.join(work, "index.html"), renderCaptureFile({ ...meta(archivedAt), archived_at: archivedAt }, body));
    for (const name of images) await writeFile(path.join(work, name), `bytes of ${name}`);
    await commitCapture(cacheDir, hash, work, { previousBecomesVersion });
  };

  it("keeps the previous capture as <stamp>.html, every earlier version, and the images they show, across swaps", async () => {
    const cacheDir = await mkdtemp(path.join(tmpdir(), "store-versions-"));
    await write(cacheDir, "2026-01-01T00:00:00.000Z", `<p>One <img src="${image("a")}" alt="a"></p>\n`, [image("a"), image("b")], false);
    await write(cacheDir, "2026-02-01T00:00:00.000Z", `<p>Two <img src="${image("c")}" alt="c"></p>\n`, [image("c")], true);
    // A replacement that is not a new version (a change of dates only) still keeps every earlier version.
    await write(cacheDir, "2026-03-01T00:00:00.000Z", "<p>Three</p>\n", [], false);
    const names = (await readdir(path.join(cacheDir, hash))).sort();
    // a stays for the version that shows it; b was shown by no version and c only by the capture replaced without
    // becoming a version: they go, as a replaced capture's images always did.
    expect(names).toEqual(["20260101000000.html", image("a"), "index.html"].sort());
    expect(parseCaptureFile(await readFile(path.join(cacheDir, hash, "20260101000000.html"), "utf8")).body).toContain("One");
    expect(parseCaptureFile(await readFile(path.join(cacheDir, hash, "index.html"), "utf8")).body).toContain("Three");
  });
});
