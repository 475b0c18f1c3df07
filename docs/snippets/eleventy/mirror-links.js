// Mirror links at build time in an Eleventy blog (https://www.11ty.dev/), for an archive made with link-archive.
// No dependencies. In eleventy.config.js:
//
//   import mirrorLinks from "./mirror-links.js";
//   export default function (eleventyConfig) {
//     eleventyConfig.addPlugin(mirrorLinks, { archive: "https://alice.github.io/links/", index: "_data/archive.json" });
//   }
//
// and in a template:  <a href="{{ url }}">{{ title }}</a>{{ url | mirrorLink | safe }}
//
// `index` is a copy of the archive's /archive.json (fetch it before building, e.g. in CI:
// curl -fsSo _data/archive.json https://alice.github.io/links/archive.json). With it, only captured URLs get a
// mirror link, and it points at the pinned version the archive published (/<md5>/<YYYYMMDDhhmmss>/) with Robust Links
// attributes. Without it, every URL gets /<md5 of the URL>/, the address its capture has or will have.
// The URL must be written exactly as in the archive's links.txt: the address is the md5 of that text.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

export default function mirrorLinks(eleventyConfig, { archive, index, label = "mirror" } = {}) {
  if (!archive) throw new Error('mirror-links: give the archive\'s address, e.g. { archive: "https://alice.github.io/links/" }');
  const root = new URL(archive.endsWith("/") ? archive : `${archive}/`);
  const captures = index ? new Map((JSON.parse(readFileSync(index, "utf8")).captures ?? []).map((capture) => [capture.url, capture])) : undefined;

  /** What the archive holds for a URL: its capture when the index lists it, a computed address without an index. */
  function lookup(url) {
    const written = String(url ?? "").trim();
    if (!/^https?:\/\//i.test(written)) return undefined;
    if (!captures) return { url: written, mirror: new URL(`${createHash("md5").update(written, "utf8").digest("hex")}/`, root).href };
    const capture = captures.get(written);
    if (!capture) return undefined;
    const version = new URL(capture.version_path, root).href;
    return { url: written, mirror: version, version, date: capture.archived_at };
  }

  // The address alone: {{ url | mirrorUrl }} ("" when the index has no capture of it).
  eleventyConfig.addFilter("mirrorUrl", (url) => lookup(url)?.mirror ?? "");

  // " (mirror)" after a link, as HTML: {{ url | mirrorLink | safe }}, or {{ url | mirrorLink("archived copy") | safe }}.
  eleventyConfig.addFilter("mirrorLink", (url, text = label) => {
    const found = lookup(url);
    if (!found) return "";
    const robust = found.version
      ? ` data-originalurl="${escapeHtml(found.url)}" data-versionurl="${escapeHtml(found.version)}" data-versiondate="${escapeHtml(found.date)}"`
      : ` data-originalurl="${escapeHtml(found.url)}"`;
    return ` <span class="archive-mirror">(<a href="${escapeHtml(found.mirror)}"${robust}>${escapeHtml(text)}</a>)</span>`;
  });
}
