/**
 * The link watch's pure rules: what a soft 404 is, what "changed materially" means, how a status record moves
 * between states (and when it is not rewritten), which slice a run checks, and the schema of its records.
 */
import { describe, expect, it } from "vitest";
import { movedTo } from "../../src/archive/check/link.ts";
import { chooseSlice, selectLinks } from "../../src/archive/check/select.ts";
import { redirectedToRoot, retention, softNotFound } from "../../src/archive/soft404.ts";
import type { Link } from "../../src/archive/types.ts";
import { captureTokens } from "../../src/cache/capture-text.ts";
import { changedMaterially, diffTokens } from "../../src/cache/changes.ts";
import { hashUrl, shardOf } from "../../src/cache/layout.ts";
import { checkCheckLog, checkStatusRecord } from "../../src/cache/schema.ts";
import { applyObservation, logRun, type Observation } from "../../src/cache/status.ts";
import type { CheckLog, StatusRecord } from "../../src/cache/types.ts";

const ARTICLE =
  "<p>The lighthouse keepers of the northern coast kept logs by hand, trimming the lamps each evening and writing the weather, the ships and the state of the sea.</p>" +
  "<p>Their logs, kept in the county archive, show storms, wrecks, and long calm weeks when nothing passed but gulls and the mail boat from the island.</p>";
const tokens = (html: string) => captureTokens(html).tokens;
const page = (html: string, over: Partial<{ url: string; finalUrl: string; title: string }> = {}) => ({
  url: "https://example.org/2019/lighthouse-logs",
  finalUrl: "https://example.org/2019/lighthouse-logs",
  title: "Lighthouse logs",
  tokens: tokens(html),
  ...over,
});

describe("a soft 404", () => {
  it("is a 'not found' page that keeps almost none of the archived text", () => {
    expect(softNotFound(tokens(ARTICLE), page("<h1>Page not found</h1><p>Sorry, we could not find that page. Try searching.</p>", { title: "404" }))).toMatchObject({ code: "CHECK_NOT_FOUND_PAGE" });
  });

  it("is the site's front page answering for a deeper address", () => {
    expect(softNotFound(tokens(ARTICLE), page("<p>Welcome! Our latest posts are below, with news from the harbour.</p>", { finalUrl: "https://example.org/" }))).toMatchObject({ code: "CHECK_FRONT_PAGE" });
    expect(redirectedToRoot("https://example.org/a", "https://example.org/index.html")).toBe(true);
    expect(redirectedToRoot("https://example.org/", "https://example.org/")).toBe(false);
  });

  it("is a parked domain, by its wording or by the parking service it leads to", () => {
    expect(softNotFound(tokens(ARTICLE), page("<p>This domain is for sale. Make an offer today.</p>"))).toMatchObject({ code: "CHECK_PARKED" });
    expect(softNotFound(tokens(ARTICLE), page("<p>Related searches: lighthouses, travel deals</p>", { finalUrl: "https://ww25.sedoparking.com/example.org" }))).toMatchObject({ code: "CHECK_PARKED" });
  });

  it("is not an article that mentions 404 while keeping its text, nor a rewritten page with no sign of an error", () => {
    expect(softNotFound(tokens(ARTICLE), page(`<p>Error 404 not found, the log says.</p>${ARTICLE}`))).toBeUndefined();
    expect(softNotFound(tokens(ARTICLE), page("<p>An entirely new essay about canal boats, locks, towpaths and the horses that once pulled the barges.</p>"))).toBeUndefined();
  });

  it("measures what remains as the share of the archived text's five-word shingles still present", () => {
    expect(retention(tokens(ARTICLE), tokens(ARTICLE))).toBe(1);
    expect(retention(tokens(ARTICLE), tokens("<p>Nothing in common at all here, none whatsoever.</p>"))).toBe(0);
    const half = retention(tokens(ARTICLE), tokens(ARTICLE.split("</p>")[0]!));
    expect(half).toBeGreaterThan(0.3);
    expect(half).toBeLessThan(0.7);
  });
});

describe("a material change", () => {
  it("is a word added or removed, but not white space, markup, punctuation spacing, dates or counters", () => {
    const before = tokens("<p>Posted 3 May 2026 · 12 comments</p><p>The keeper wrote every evening.</p>");
    expect(changedMaterially(before, tokens("<p>Posted 4 June 2027 · 13 comments</p>\n\n<p>The   keeper <em>wrote</em> every evening.</p>"))).toBe(false);
    expect(changedMaterially(before, tokens("<p>Posted 3 May 2026 · 12 comments</p><p>The keeper never wrote every evening.</p>"))).toBe(true);
    expect(changedMaterially(before, tokens("<p>Posted 3 May 2026 · 12 comments</p><p>The keeper wrote.</p>"))).toBe(true);
  });

  it("is counted word by word, punctuation aside, and a diff too large for its bounds gives up with counts only", () => {
    const { parts, added, removed } = diffTokens(tokens("<p>a fox ran, fast.</p>"), tokens("<p>a badger ran, slowly and fast.</p>"));
    expect(parts!.filter((p) => p.kind !== "same").map((p) => `${p.kind}:${p.tokens.map((t) => t.text).join(" ")}`)).toEqual(["removed:fox", "added:badger", "added:slowly and"]);
    expect([added, removed]).toEqual([3, 1]);
    const many = (seed: number) => Array.from({ length: 60_000 }, (_, i) => ({ text: `w${(i * seed) % 7919}`, space: true, word: true }));
    const huge = diffTokens(many(3), many(5));
    expect(huge.parts).toBeUndefined();
  });
});

const link = { url: "https://example.org/a", hash: hashUrl("https://example.org/a") };
const at = (day: number) => new Date(Date.UTC(2026, 4, day, 9));
const alive: Observation = { kind: "verdict", status: "alive", answer: { http_status: 304, reason: "unchanged" } };
const gone: Observation = { kind: "verdict", status: "gone", answer: { http_status: 404, code: "ARCHIVE_HTTP_STATUS", reason: "the page is gone" } };
const timeout: Observation = { kind: "failed", answer: { code: "ARCHIVE_FETCH_TIMEOUT", reason: "too slow" } };

describe("a status record", () => {
  it("is written on a transition only: the same verdict again, with another answer, writes nothing", () => {
    const first = applyObservation(undefined, link, alive, at(1))!;
    expect(first).toMatchObject({ status: "alive", since: at(1).toISOString(), history: [] });
    expect(applyObservation(first, link, { ...alive, answer: { http_status: 200, reason: "same words" } }, at(8))).toBeUndefined();
    const dead = applyObservation(first, link, gone, at(15))!;
    expect(dead).toMatchObject({ status: "gone", since: at(15).toISOString(), history: [{ status: "alive", since: at(1).toISOString() }] });
    expect(applyObservation(dead, link, gone, at(22))).toBeUndefined();
  });

  it("counts failures as a streak, and becomes unreachable only at three in a row spanning a week, dated from the first", () => {
    let record: StatusRecord | undefined = applyObservation(undefined, link, alive, at(1));
    for (const day of [2, 4, 6]) record = applyObservation(record, link, timeout, at(day));
    expect(record).toMatchObject({ status: "alive", failing: { since: at(2).toISOString(), count: 3 } });
    record = applyObservation(record, link, timeout, at(9));
    expect(record).toMatchObject({ status: "unreachable", since: at(2).toISOString() });
    expect(record?.failing).toBeUndefined();
    expect(applyObservation(record, link, timeout, at(16))).toBeUndefined();
    expect(applyObservation(record, link, alive, at(23))).toMatchObject({ status: "alive", history: [{ status: "alive" }, { status: "unreachable" }] });
  });

  it("passes its own schema, and one planted with a server's words in an error code or a bad hash does not", () => {
    const record = applyObservation(undefined, link, gone, at(1))!;
    expect(checkStatusRecord(JSON.parse(JSON.stringify(record)), link.hash)).toMatchObject({ ok: true });
    expect(checkStatusRecord({ ...record, answer: { code: "<b>hi</b>", reason: "x" } }, link.hash)).toMatchObject({ ok: false });
    expect(checkStatusRecord(record, hashUrl("https://other.example/"))).toMatchObject({ ok: false });
    expect(checkStatusRecord({ ...record, status: "dead" }, link.hash)).toMatchObject({ ok: false });
  });
});

describe("which links a check run asks about", () => {
  const links: Link[] = Array.from({ length: 40 }, (_, i) => ({ url: `https://example.org/${i}`, hash: hashUrl(`https://example.org/${i}`), line: i + 1 }));
  const empty: CheckLog = { format: 1, slices: 4, slice_records: [], runs: [] };
  const run = { started_at: "2026-05-01T00:00:00Z", finished_at: "2026-05-01T00:01:00Z", slice: 1, slices: 4, checked: 1, counts: {}, pending: 0, new_versions: 0, requests: 0, bytes: 0 };

  it("is a slice by hash, the one never checked first, then the one checked longest ago", () => {
    const first = selectLinks(links, empty, { slices: 4, max: 0 });
    expect(first.slice).toBe(1);
    expect(first.links.every((l) => shardOf(l.hash, 4) === 1)).toBe(true);
    let log = empty;
    for (const [slice, day] of [[1, 5], [2, 3], [3, 9], [4, 7]] as const) log = logRun(log, { slice, checked_at: at(day).toISOString(), links: 10 }, { ...run, slice });
    expect(chooseSlice(log, 4)).toBe(2);
    expect(checkCheckLog(JSON.parse(JSON.stringify(log)))).toMatchObject({ ok: true });
  });

  it("goes on where a run cut short by --max stopped, before any other slice", () => {
    const cut = selectLinks(links, empty, { slices: 1, max: 15 });
    expect(cut.links).toHaveLength(15);
    const log = logRun(empty, { slice: 1, checked_at: at(1).toISOString(), links: 15, resume_after: cut.resumeAfter! }, { ...run, slices: 1 });
    const rest = selectLinks(links, { ...log, slices: 1 }, { slices: 1, max: 0 });
    expect(rest.resumeAfter).toBeUndefined();
    expect([...cut.links, ...rest.links].map((l) => l.hash)).toEqual(links.map((l) => l.hash).sort());
  });
});

describe("a move", () => {
  it("is a permanent redirect to an address that is not a near duplicate", () => {
    const base = { url: "http://example.org/a", redirectStatuses: [301] };
    expect(movedTo({ ...base, finalUrl: "https://example.org/new/a" })).toBe("https://example.org/new/a");
    expect(movedTo({ ...base, finalUrl: "https://www.example.org/a/" })).toBeUndefined();
    expect(movedTo({ ...base, redirectStatuses: [302], finalUrl: "https://example.org/new/a" })).toBeUndefined();
  });
});

describe("the change page's body", () => {
  it("escapes every word, marks each change in text, and cuts long unchanged stretches to their edges", async () => {
    const { renderChanges } = await import("../../src/site/changes.ts");
    const filler = Array.from({ length: 120 }, (_, i) => `word${i}`).join(" ");
    const rendered = renderChanges(`<p>${filler} &lt;script&gt;alert(1)&lt;/script&gt; old ending</p>`, `<p>${filler} &lt;script&gt;alert(1)&lt;/script&gt; new ending</p>`);
    expect([rendered.added, rendered.removed, rendered.compared]).toEqual([1, 1, true]);
    expect(rendered.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(rendered.html).not.toContain("<script");
    expect(rendered.html).toContain('<del><span class="diff-mark" aria-hidden="true">[−</span><span class="visually-hidden">removed: </span>old<span class="diff-mark" aria-hidden="true">]</span></del>');
    expect(rendered.html).toContain('<span class="diff-gap">[…]</span>');
    expect(rendered.html).not.toContain("word10 ");
    expect(rendered.html).toContain("word119");
  });
});
