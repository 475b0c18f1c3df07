/**
 * The Content-Security-Policy each page carries in a <meta> tag at the very top of <head> (GitHub Pages cannot send
 * headers). Archived HTML comes from strangers and is served from the owner's origin, so nothing may run or load
 * from anywhere but the site itself: a capture that slipped past the sanitizer still cannot run a script, load a
 * tracker, post a form or re-base links. frame-ancestors, report-uri and sandbox are ignored in <meta> (CSP3 §6.1.3).
 */
export type PageKind = "page" | "search";

const BASE = [
  "default-src 'none'",
  "img-src 'self'",
  "style-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
];

/**
 * Search runs Pagefind: its module and worker come from /pagefind/part-…/ ('self'), it fetches every partition's index
 * with fetch() (connect-src) and compiles its WebAssembly, which Chromium and Safari refuse without 'wasm-unsafe-eval'
 * (it allows WebAssembly compilation only, never eval() of JavaScript).
 */
const SEARCH = ["script-src 'self' 'wasm-unsafe-eval'", "connect-src 'self'", "worker-src 'self'"];

export function contentSecurityPolicy(kind: PageKind): string {
  return [...BASE, ...(kind === "search" ? SEARCH : ["script-src 'none'"])].join("; ");
}
