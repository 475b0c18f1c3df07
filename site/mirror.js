// mirror.js: a drop-in script for any blog. A blog adds
//   <script type="module" src="https://<owner>.github.io/<archive>/mirror.js"></script>
// and every outbound link that has a capture in this archive gets a small "mirror" link beside it, pointing at the
// capture's pinned version (/<md5>/<YYYYMMDDhhmmss>/) with Robust Links attributes (data-originalurl,
// data-versionurl, data-versiondate: https://robustlinks.mementoweb.org/spec/).
//
// Served by the archive site, never run by it (the archive's own pages allow no script but search). It has no
// dependencies, builds the links with createElement and textContent only, and sends no request anywhere but the
// archive site it was loaded from: the lookup files /mirror/<xx>.json, one per shard, fetched only for the shards the
// page's links fall in (xx is the first two hex digits of the md5 of the link's near-duplicate key). A blog with a
// Content-Security-Policy allows the archive's origin in script-src and connect-src.
//
// Options, as data- attributes on the script tag:
//   data-mode="gone"     only links whose original is known to be gone or unreachable for a week or more (the lookup's
//                        "status", from the archive's weekly check; absent = unknown)
//   data-label="archived" the text of the added link (default "mirror")
//   data-scope="article" a CSS selector: only links inside it (default the whole page)
// A link (or any element around it) with the class "no-mirror" is left alone.
//
// The near-duplicate rules and md5 are exported for tests: they must give the archive's own answers
// (src/links/near.ts, src/cache/layout.ts), which test/unit/near.test.ts checks on one table of cases.

/** The archive site's root: this file sits at it. */
const ARCHIVE = new URL("./", import.meta.url);
const LOOKUP_FORMAT = 1;
const MAX_LINKS = 2000;
const MAX_SHARDS = 256;
const HASH = /^[0-9a-f]{32}$/;
const STAMP = /^\d{14}$/;

export const TRACKING_PARAMETERS = [
  "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid", "igshid",
  "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "rb_clickid", "s_cid",
];
export const TRACKING_PREFIXES = ["utm_"];

function isTracking(name) {
  const lower = name.toLowerCase();
  return TRACKING_PARAMETERS.includes(lower) || TRACKING_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/** The near-duplicate key: host without www., port, path without trailing slashes, query without tracking. */
export function nearKey(url) {
  let parsed;
  try {
    parsed = new URL(String(url).trim());
  } catch {
    return undefined;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return undefined;
  const host = parsed.hostname.replace(/^www\./, "");
  const port = parsed.port === "" ? "" : `:${parsed.port}`;
  const pathname = parsed.pathname.replace(/\/+$/, "");
  const query = parsed.search
    .slice(1)
    .split("&")
    .filter((part) => part !== "" && !isTracking(part.split("=")[0]))
    .join("&");
  return `${host}${port}${pathname}${query === "" ? "" : `?${query}`}`;
}

// RFC 1321. The sine table is written out rather than computed, so no engine's Math.sin can change it.
const K = [
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af,
  0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa,
  0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
  0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244, 0x432aff97,
  0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
  0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
];
const SHIFT = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

/** md5 of the UTF-8 bytes of `text`, as 32 lower-case hex digits: the archive's capture key. */
export function md5(text) {
  const bytes = new TextEncoder().encode(text);
  const length = bytes.length;
  const words = new Uint32Array((((length + 8) >>> 6) + 1) * 16);
  for (let i = 0; i < length; i++) words[i >> 2] |= bytes[i] << ((i % 4) * 8);
  words[length >> 2] |= 0x80 << ((length % 4) * 8);
  words[words.length - 2] = (length * 8) >>> 0;
  words[words.length - 1] = Math.floor(length / 0x20000000);
  let a0 = 0x67452301;
  let b0 = 0xefcdab89;
  let c0 = 0x98badcfe;
  let d0 = 0x10325476;
  for (let block = 0; block < words.length; block += 16) {
    let a = a0;
    let b = b0;
    let c = c0;
    let d = d0;
    for (let i = 0; i < 64; i++) {
      let f;
      let g;
      if (i < 16) [f, g] = [(b & c) | (~b & d), i];
      else if (i < 32) [f, g] = [(d & b) | (~d & c), (5 * i + 1) % 16];
      else if (i < 48) [f, g] = [b ^ c ^ d, (3 * i + 5) % 16];
      else [f, g] = [c ^ (b | ~d), (7 * i) % 16];
      const sum = (f + a + K[i] + words[block + g]) | 0;
      const shift = SHIFT[(i >> 4) * 4 + (i % 4)];
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << shift) | (sum >>> (32 - shift)))) | 0;
    }
    a0 = (a0 + a) | 0;
    b0 = (b0 + b) | 0;
    c0 = (c0 + c) | 0;
    d0 = (d0 + d) | 0;
  }
  let hex = "";
  for (const word of [a0, b0, c0, d0]) {
    for (let i = 0; i < 4; i++) hex += ((word >>> (i * 8)) & 0xff).toString(16).padStart(2, "0");
  }
  return hex;
}

/** The lookup shard a URL's captures are listed in: the first two hex digits of md5(nearKey(url)). */
export function shardOf(url) {
  return md5(nearKey(url) ?? String(url).trim()).slice(0, 2);
}

/** The lookup's entries that are well formed; anything else in the file is ignored. */
function entriesOf(data) {
  if (!data || data.format !== LOOKUP_FORMAT || !Array.isArray(data.captures)) return [];
  return data.captures.filter(
    (e) => e && typeof e.url === "string" && HASH.test(e.hash_url) && STAMP.test(e.version) && typeof e.archived_at === "string",
  );
}

/** The capture of a link: its URL exactly as written first, then as the browser resolved it, then a near duplicate. */
export function findCapture(entries, written, resolved) {
  const exact = entries.find((e) => e.url === written) ?? entries.find((e) => e.url === resolved);
  if (exact) return exact;
  const key = nearKey(resolved);
  return key === undefined ? undefined : entries.find((e) => nearKey(e.url) === key);
}

/** "20251120100000" → "2025-11-20T10:00:00Z": the version's date-time, for data-versiondate. */
function versionDate(stamp) {
  return `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(8, 10)}:${stamp.slice(10, 12)}:${stamp.slice(12, 14)}Z`;
}

function ownScript() {
  return [...document.querySelectorAll("script[src]")].find((script) => script.src === import.meta.url);
}

function outboundLinks(scope) {
  const links = [];
  for (const link of scope.querySelectorAll("a[href]")) {
    if (links.length >= MAX_LINKS) break;
    if (link.closest(".no-mirror, .archive-mirror")) continue;
    let url;
    try {
      url = new URL(link.href);
    } catch {
      continue;
    }
    if ((url.protocol !== "http:" && url.protocol !== "https:") || url.origin === location.origin || url.origin === ARCHIVE.origin) continue;
    links.push(link);
  }
  return links;
}

async function lookup(shard) {
  try {
    const response = await fetch(new URL(`mirror/${shard}.json`, ARCHIVE), { credentials: "omit", referrerPolicy: "no-referrer" });
    return response.ok ? entriesOf(await response.json()) : [];
  } catch {
    return []; // the archive is unreachable: the blog reads as it would without this script
  }
}

function mirrorLink(entry, label) {
  const version = new URL(`${entry.hash_url}/${entry.version}/`, ARCHIVE).href;
  const wrap = document.createElement("span");
  wrap.className = "archive-mirror";
  const link = document.createElement("a");
  link.href = version;
  link.textContent = label;
  link.title = `Mirror copy, archived ${versionDate(entry.version).slice(0, 10)}`;
  link.setAttribute("data-originalurl", entry.url);
  link.setAttribute("data-versionurl", version);
  link.setAttribute("data-versiondate", versionDate(entry.version));
  wrap.append(" (", link, ")");
  return wrap;
}

async function main() {
  const script = ownScript();
  const mode = script?.dataset.mode === "gone" ? "gone" : "all";
  const label = (script?.dataset.label ?? "").trim().slice(0, 40) || "mirror";
  let scope = document.body;
  try {
    if (script?.dataset.scope) scope = document.querySelector(script.dataset.scope) ?? scope;
  } catch {
    // not a valid selector: the whole page
  }
  if (!scope) return;
  const links = outboundLinks(scope);
  const shards = new Map();
  for (const link of links) {
    const shard = shardOf(link.href);
    if (!shards.has(shard)) {
      if (shards.size >= MAX_SHARDS) continue;
      shards.set(shard, []);
    }
    shards.get(shard).push(link);
  }
  await Promise.all(
    [...shards].map(async ([shard, shardLinks]) => {
      const entries = await lookup(shard);
      for (const link of shardLinks) {
        const entry = findCapture(entries, (link.getAttribute("href") ?? "").trim(), link.href);
        // A week or more unreachable is as gone to a reader as a 404.
        if (!entry || (mode === "gone" && entry.status !== "gone" && entry.status !== "unreachable")) continue;
        link.after(mirrorLink(entry, label));
      }
    }),
  );
}

// Whatever goes wrong, the blog reads as it would without this script, and its console stays the blogger's own.
if (typeof document !== "undefined") main().catch(() => {});
