/**
 * Near-duplicate URLs: the same page written another way — http or https, with or without `www.`, a trailing slash,
 * a fragment, or tracking parameters (utm_*, fbclid, gclid, ...). nearKey maps every such spelling to one key. It is
 * never a capture key (that stays the md5 of the URL as written, DESIGN.md): the importer uses it to say "this
 * resembles links.txt:12", the build to shard the mirror lookup files, and site/mirror.js to find a blog's link in
 * them. mirror.js carries its own copy of these rules (it is a dependency-free browser script); one table of cases
 * in test/unit/near.test.ts holds both to the same answers. Pure; WHATWG URL parsing, the same in Node and browsers.
 */

/** Query parameters that only say where a click came from (names compared in lower case). */
export const TRACKING_PARAMETERS: readonly string[] = [
  "fbclid",
  "gclid",
  "dclid",
  "gbraid",
  "wbraid",
  "msclkid",
  "yclid",
  "twclid",
  "ttclid",
  "igshid",
  "mc_cid",
  "mc_eid",
  "_hsenc",
  "_hsmi",
  "mkt_tok",
  "oly_anon_id",
  "oly_enc_id",
  "vero_id",
  "rb_clickid",
  "s_cid",
];
/** Prefixes of tracking parameter names: utm_source, utm_medium, utm_campaign, ... */
export const TRACKING_PREFIXES: readonly string[] = ["utm_"];

function isTracking(name: string): boolean {
  const lower = name.toLowerCase();
  return TRACKING_PARAMETERS.includes(lower) || TRACKING_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/**
 * The near-duplicate key of a URL: host without `www.`, port if not the default, path without trailing slashes, and
 * the query without tracking parameters (other parameters kept as written, in order). Scheme, user and fragment are
 * left out. Undefined when it is not an absolute http(s) URL.
 */
export function nearKey(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
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
    .filter((part) => part !== "" && !isTracking(part.split("=")[0]!))
    .join("&");
  return `${host}${port}${pathname}${query === "" ? "" : `?${query}`}`;
}
