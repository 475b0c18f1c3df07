/**
 * The site reads a capture's body while its page renders without parsing the front matter again: it must split the
 * file exactly where gray-matter does when the archive is loaded.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { captureBodyOf, parseCaptureFile } from "../../src/cache/capture-file.ts";

const FIXTURE_CACHE = fileURLToPath(new URL("../fixtures/cache/", import.meta.url));

test("splits every fixture capture and tricky front matter where gray-matter does", async () => {
  const texts: string[] = [];
  for (const name of await readdir(FIXTURE_CACHE)) {
    const text = await readFile(path.join(FIXTURE_CACHE, name, "index.html"), "utf8").catch(() => undefined);
    if (text?.startsWith("---\n")) texts.push(text);
  }
  texts.push(
    "---\ntitle: a\n---\n<p>x</p>\n",
    "---\r\ntitle: a\r\n---\r\n<p>crlf</p>\r\n",
    "---\ntitle: a\n---<p>same line</p>\n",
    "---\ntitle: a\n---\n\n<p>blank line first</p>\n",
    "---\ntitle: a\n---\n<p>a rule</p>\n---\n<p>after</p>\n",
    "---\ntitle: a\n",
    "---  \ntitle: trailing spaces\n---\nbody",
  );
  expect(texts.length).toBeGreaterThan(10);
  // The fixture cache holds one capture whose YAML is broken on purpose: it is refused at load and never rendered.
  const broken = texts.filter((text) => text.includes("title: [unclosed"));
  expect(broken).toHaveLength(1);
  for (const text of broken) expect(() => parseCaptureFile(text)).toThrow(/could not be parsed/);
  for (const text of texts.filter((t) => !broken.includes(t))) {
    expect(captureBodyOf(text), JSON.stringify(text.slice(0, 60))).toBe(parseCaptureFile(text).body);
  }
});
