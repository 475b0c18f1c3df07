import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/archive/metrics.ts";
import { hashUrl } from "../../src/cache/layout.ts";
import { createReporter, formatMarkdownSummary } from "../../src/archive/progress.ts";
import type { RunSummary } from "../../src/archive/run.ts";
import type { CaptureResult } from "../../src/archive/types.ts";

const link = (url: string, line: number) => ({ url, hash: hashUrl(url), line });
const ok: CaptureResult = { link: link("https://a.example/", 1), outcome: "captured", kind: "article" };
const bad: CaptureResult = {
  link: link("https://b.example/x|y", 3),
  outcome: "failed",
  code: "ARCHIVE_HTTP_STATUS",
  reason: "https://b.example/x|y answered 404 Not Found",
  publicReason: "the server answered HTTP 404 (the page is gone)",
  keptPrevious: true,
};
const summary: RunSummary = {
  linksFile: "links.txt",
  total: 2,
  captured: 1,
  unchanged: 0,
  alreadyCached: 0,
  failed: 1,
  deferred: 0,
  badLines: [{ line: 2, text: "htp://x", reason: 'is not an http(s) URL (scheme "htp")' }],
  duplicates: 0,
  failures: [bad],
  results: [ok, bad],
  durationMs: 1234,
  metrics: createMetrics(),
};

function capture(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  let text = "";
  out.on("data", (d) => (text += d));
  return { out, text: () => text };
}

describe("the reporter", () => {
  it("prints one line per link in CI logs, then a summary naming each failure, its line and reason", () => {
    const { out, text } = capture();
    const reporter = createReporter("lines", out);
    reporter.start({ total: 2, toCapture: 2 });
    reporter.linkStarted(ok.link);
    reporter.linkDone(ok);
    reporter.linkStarted(bad.link);
    reporter.linkDone(bad);
    reporter.finish(summary);
    const lines = text().split("\n");
    expect(lines[0]).toBe("Archiving 2 links");
    expect(lines[1]).toBe("captured  [1] https://a.example/ (article)");
    expect(lines[2]).toContain("FAILED    [3] https://b.example/x|y: https://b.example/x|y answered 404 Not Found (previous capture kept)");
    expect(text()).toContain("Done in 1.2s: 1 captured, 0 unchanged, 0 already cached, 1 failed, 1 bad line.");
    expect(text()).toContain('links.txt:2: "htp://x" is not an http(s) URL');
    expect(text()).toContain("links.txt:3: https://b.example/x|y\n    ARCHIVE_HTTP_STATUS:");
    expect(text()).not.toContain("\r");
  });

  it("redraws one status line with a bar and the current URL on a terminal, keeping failures above it", () => {
    const { out, text } = capture();
    const reporter = createReporter("bar", out);
    reporter.start({ total: 2, toCapture: 2 });
    reporter.linkStarted(ok.link);
    expect(text()).toMatch(/\r\x1b\[2K\[-{20}\] 0\/2 https:\/\/a\.example\/$/);
    reporter.linkDone(ok);
    expect(text()).toMatch(/\[#{10}-{10}\] 1\/2 $/);
    reporter.linkStarted(bad.link);
    reporter.linkDone(bad);
    expect(text()).toContain("\r\x1b[2KFAILED    [3] https://b.example/x|y");
    expect(text()).toMatch(/\[#{20}\] 2\/2 \(1 failed\) $/);
    reporter.finish(summary);
    expect(text()).toMatch(/\r\x1b\[2KDone in/);
  });

  it("prints only the summary when quiet", () => {
    const { out, text } = capture();
    const reporter = createReporter("quiet", out);
    reporter.start({ total: 2, toCapture: 2 });
    reporter.linkDone(ok);
    reporter.finish(summary);
    expect(text().startsWith("Done in")).toBe(true);
  });

  it("writes a Markdown summary whose table cells cannot be broken by a URL, and whose reasons are the codes' own", () => {
    const md = formatMarkdownSummary(summary);
    expect(md).toContain("| 1 | 0 | 0 | 1 | 0 | 1 |");
    expect(md).toContain("| 3 | ` https://b.example/x\\|y ` | ARCHIVE_HTTP_STATUS: the server answered HTTP 404 (the page is gone) |");
  });

  it("never puts a server's words into the Markdown summary as live Markdown (a Content-Type of [x](https://evil))", () => {
    const hostile: CaptureResult = {
      link: link("https://c.example/`x`", 4),
      outcome: "failed",
      code: "ARCHIVE_UNSUPPORTED_TYPE",
      reason: "https://c.example/ is [click](https://evil.example/) fixes #1, which is not archived",
      publicReason: "it is not a kind of document the archiver keeps (HTML, text, PDF or image)",
    };
    const md = formatMarkdownSummary({ ...summary, failures: [hostile], badLines: [{ line: 9, text: "[x](https://evil.example/)", reason: "is not an absolute URL" }] });
    expect(md).not.toContain("[click](");
    expect(md).not.toMatch(/fixes #1/i);
    expect(md).toContain("| 4 | `` https://c.example/`x` `` | ARCHIVE_UNSUPPORTED_TYPE: it is not a kind of document");
    // A line of links.txt is shown, but as code: never a live link.
    expect(md).toContain("| 9 | ` [x](https://evil.example/) ` |");
  });
});
