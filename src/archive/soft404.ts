/**
 * A soft 404: an original that answers 200 but is gone all the same, the commonest form of link rot. Input: the
 * original's URL, where it ended up, the new page's title and text (through the archiver's own parse and sanitize), and
 * the kept capture's text. Output: "not-found" or "parked" with why, or undefined. Pure. Decided from how little of the
 * kept text remains (the share of its distinct five-word shingles still present) together with the usual signals: a
 * "not found" title or opening, the front page answering for a deeper address, a parked domain's wording or host.
 */
import type { TextToken } from "../cache/capture-text.ts";

export interface PageSeen {
  /** The URL as written in links.txt. */
  url: string;
  /** Where the answer came from, after redirects. */
  finalUrl: string;
  title: string;
  tokens: readonly TextToken[];
}

/** The reason code (src/cache/reasons.ts gives its public sentence) and the share of the kept text still there. */
export type SoftVerdict = { code: "CHECK_NOT_FOUND_PAGE" | "CHECK_FRONT_PAGE" | "CHECK_PARKED"; retention: number } | undefined;

/** Below this share of the kept text's shingles, the page no longer holds the article. */
export const SOFT_404_MAX_RETENTION = 0.2;
/** Words a shingle spans: long enough that common phrases of a site's chrome rarely match by chance. */
export const SHINGLE_WORDS = 5;
/** A "not found" page says so early: its title and its first words are read, not a long article that mentions 404. */
const OPENING_WORDS = 80;

const NOT_FOUND = [
  /\b404\b/,
  /\bnot found\b/,
  /\bpage (?:you (?:are|were) looking for |you requested )?(?:does not|doesn'?t|did not|could not|couldn'?t|cannot|can'?t) (?:exist|be found)\b/,
  /\b(?:no longer|isn'?t|is not) (?:available|exists?)\b/,
  /\bcan'?t (?:be )?find (?:that|the|this) page\b/,
  /\bpage (?:has been )?(?:removed|deleted)\b/,
  /\bnothing (?:was )?found\b/,
  /\bseite nicht gefunden\b|\bpage introuvable\b|\bpágina no encontrada\b/,
];

const PARKED = [
  /\bthis domain (?:name )?(?:is|may be) for sale\b/,
  /\bbuy this domain\b/,
  /\bthe domain (?:name )?\S{1,80} (?:is|may be) for sale\b/,
  /\bdomain (?:is )?parked\b/,
  /\bparked (?:free|domain|by)\b/,
  /\bmake an offer on this domain\b/,
];

/** Domain parking and resale services a parked name redirects to or is served by. */
export const PARKING_HOSTS = [
  "sedoparking.com", "sedo.com", "parkingcrew.net", "bodis.com", "above.com", "dan.com", "afternic.com", "hugedomains.com",
  "parklogic.com", "undeveloped.com", "buydomains.com", "domainmarket.com", "uniregistry.com", "parked.com", "smartname.com",
]; // prettier-ignore

/** The distinct shingles of a text's words, lower-cased (punctuation and spacing do not count). */
export function shingles(tokens: readonly TextToken[], size = SHINGLE_WORDS): Set<string> {
  const words = tokens.filter((t) => t.word).map((t) => t.text.toLowerCase());
  const out = new Set<string>();
  if (words.length === 0) return out;
  if (words.length < size) {
    out.add(words.join(" "));
    return out;
  }
  for (let i = 0; i + size <= words.length; i++) out.add(words.slice(i, i + size).join(" "));
  return out;
}

/** The share of the kept text's shingles still present in the new text (1 when the kept text has none). */
export function retention(kept: readonly TextToken[], seen: readonly TextToken[]): number {
  const before = shingles(kept);
  if (before.size === 0) return 1;
  const after = shingles(seen);
  let present = 0;
  for (const shingle of before) if (after.has(shingle)) present++;
  return present / before.size;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return "";
  }
}

/** The site's front page answered for a deeper address: the path (or query) was dropped on the way. */
export function redirectedToRoot(url: string, finalUrl: string): boolean {
  try {
    const asked = new URL(url);
    const ended = new URL(finalUrl);
    const deep = asked.pathname.replace(/\/+$/, "") !== "" || asked.search !== "";
    const root = ended.pathname.replace(/\/+$/, "").replace(/\/index\.\w{2,5}$/, "") === "" && ended.search === "";
    return deep && root && asked.href !== ended.href;
  } catch {
    return false;
  }
}

export function softNotFound(kept: readonly TextToken[], page: PageSeen): SoftVerdict {
  const share = retention(kept, page.tokens);
  const opening = `${page.title}\n${page.tokens.slice(0, OPENING_WORDS * 2).map((t) => (t.space ? ` ${t.text}` : t.text)).join("")}`.toLowerCase();
  const host = hostOf(page.finalUrl);
  const parkingHost = PARKING_HOSTS.find((parking) => host === parking || host.endsWith(`.${parking}`));
  // A parked page never keeps the article; the bar is lower than for "not found", whose wording an article may use.
  if (share < 0.5 && (parkingHost || PARKED.some((pattern) => pattern.test(opening)))) return { code: "CHECK_PARKED", retention: share };
  if (share >= SOFT_404_MAX_RETENTION) return undefined;
  if (NOT_FOUND.some((pattern) => pattern.test(opening))) return { code: "CHECK_NOT_FOUND_PAGE", retention: share };
  if (redirectedToRoot(page.url, page.finalUrl)) return { code: "CHECK_FRONT_PAGE", retention: share };
  return undefined;
}
