import { afterEach, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/archive/metrics.ts";
import { createExtractPool, withoutTsx, type ExtractPool } from "../../src/archive/parse/pool.ts";

const page = (title: string) =>
  Buffer.from(`<html><head><title>${title}</title></head><body><article>${"<p>Real words in a real paragraph, with commas, and enough of them.</p>".repeat(8)}</article></body></html>`);

let pool: ExtractPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe("the extraction pool", () => {
  it("parses pages on worker threads, starting no more workers than its size", async () => {
    const metrics = createMetrics();
    pool = createExtractPool(2, { metrics });
    const titles = await Promise.all(["One", "Two", "Three", "Four"].map(async (t) => (await pool!.extract(page(t), "utf-8", `https://x.example/${t}`)).title));
    expect(titles).toEqual(["One", "Two", "Three", "Four"]);
    expect(metrics).toMatchObject({ workersStarted: 2, pagesParsed: 4 });
  });

  it("hands back a worker's ArchiveError with its class and code", async () => {
    pool = createExtractPool(1);
    const bogus = Buffer.from("<html><head><meta charset=iso-2022-kr></head><body>x</body></html>");
    await expect(pool.extract(bogus, undefined, "https://x.example/kr")).rejects.toMatchObject({ code: "ARCHIVE_BAD_ENCODING" });
  });

  it("fails a page that parses past its time limit, and the next page gets a fresh worker", async () => {
    const metrics = createMetrics();
    pool = createExtractPool(1, { timeoutMs: 1, metrics });
    await expect(pool.extract(page("Slow"), "utf-8", "https://x.example/slow")).rejects.toMatchObject({
      code: "ARCHIVE_PARSE",
      message: expect.stringContaining("took longer than"),
    });
    await pool.close();
    pool = createExtractPool(1, { metrics });
    expect((await pool.extract(page("Next"), "utf-8", "https://x.example/next")).title).toBe("Next");
    expect(metrics.workersStarted).toBe(2);
  });

  it("starts no worker until a page needs one", async () => {
    const metrics = createMetrics();
    pool = createExtractPool(4, { metrics });
    expect(metrics.workersStarted).toBe(0);
  });

  it("gives workers the parent's flags without the ones that load tsx", () => {
    const underTsx = ["--require", "/p/node_modules/tsx/dist/preflight.cjs", "--import", "file:///p/node_modules/tsx/dist/loader.mjs"];
    expect(withoutTsx([...underTsx, "--expose-gc", "--import", "./other.mjs"])).toEqual(["--expose-gc", "--import", "./other.mjs"]);
    expect(withoutTsx(["--import=tsx", "--cpu-prof"])).toEqual(["--cpu-prof"]);
  });
});
