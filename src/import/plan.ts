/**
 * Which entries become new lines of links.txt, and why the others do not. Input: links.txt's text, the entries read
 * from every source, the blog's own host names. Output: the lines to append (URL as the source wrote it, with a `#`
 * annotation of its title and tags in links.txt's word form) and what was skipped: URLs already listed (exactly),
 * URLs an earlier entry of this import already gave (their tags join that line's), near duplicates of a listed URL or
 * of an earlier entry (the same page written another way: src/links/near.ts), links into the blog itself, links that
 * are not web pages (javascript:, place:, mailto:), and entries that are not URLs.
 *
 * A near duplicate is skipped, not added: the capture key is the URL as written, so a second spelling would capture
 * the same article again under another mirror address. The report names the line it resembles, so the owner can add
 * it by hand when the two really differ. Pure: no I/O.
 */
import { urlProblem } from "../archive/links.ts";
import { formatLinkLine, MAX_TAGS, noteOf, readLinkLine, tagOf } from "../links/line.ts";
import { nearKey } from "../links/near.ts";
import type { ImportEntry, ImportProblem } from "./types.ts";

export interface PlannedLine {
  url: string;
  /** The line as it will be written. */
  text: string;
  where: string;
}

export interface NearDuplicate {
  entry: ImportEntry;
  /** "links.txt:12" or the earlier entry's place. */
  resembles: string;
  url: string;
}

export interface ImportPlan {
  lines: PlannedLine[];
  /** Already a line of links.txt, exactly. */
  alreadyListed: number;
  /** Given again by a later entry of this import (a bookmark in two folders, a link cited twice). */
  repeated: number;
  nearDuplicates: NearDuplicate[];
  /** Links into the blog being harvested. */
  own: number;
  /** Entries that are not web pages: bookmarklets, place: queries, mailto:. */
  notWeb: number;
  problems: ImportProblem[];
}

export interface PlanOptions {
  /** The links file's name, for "resembles links.txt:12". */
  linksName: string;
  /** Host names whose links are the blog's own ("www." is ignored on both sides). */
  ownHosts: Iterable<string>;
}

const bareHost = (host: string) => host.toLowerCase().replace(/^www\./, "");

export function planImport(linksText: string, entries: readonly ImportEntry[], { linksName, ownHosts }: PlanOptions): ImportPlan {
  const plan: ImportPlan = { lines: [], alreadyListed: 0, repeated: 0, nearDuplicates: [], own: 0, notWeb: 0, problems: [] };
  /** This import's lines by URL, with their annotation, so a repeat can add its tags. */
  const planned = new Map<string, { line: PlannedLine; note: string; tags: string[] }>();
  const own = new Set([...ownHosts].map(bareHost));
  const exact = new Set<string>();
  const near = new Map<string, { where: string; url: string }>();
  linksText
    .replace(/^\uFEFF/, "")
    .split(/\r\n|\n|\r/)
    .forEach((raw, index) => {
      const line = readLinkLine(raw);
      if (line.kind !== "link") return;
      exact.add(line.url);
      const key = nearKey(line.url);
      if (key !== undefined && !near.has(key)) near.set(key, { where: `${linksName}:${index + 1}`, url: line.url });
    });

  for (const entry of entries) {
    const url = entry.url.trim();
    const problem = urlProblem(url);
    if (problem) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !/^https?:/i.test(url) && !/\s/.test(url)) plan.notWeb++;
      else plan.problems.push({ where: entry.where, reason: `"${url.length > 120 ? `${url.slice(0, 120)}…` : url}" ${problem}` });
      continue;
    }
    const tags: string[] = [];
    for (const raw of entry.tags) {
      const tag = tagOf(raw);
      if (tag && !tags.includes(tag) && tags.length < MAX_TAGS) tags.push(tag);
    }
    const earlierHere = planned.get(url);
    if (earlierHere) {
      plan.repeated++;
      const joined = [...earlierHere.tags, ...tags.filter((tag) => !earlierHere.tags.includes(tag))].slice(0, MAX_TAGS);
      const note = earlierHere.note || (entry.title && entry.title.trim() !== url ? noteOf(entry.title) : "");
      Object.assign(earlierHere, { tags: joined, note });
      earlierHere.line.text = formatLinkLine(url, { note, tags: joined });
      continue;
    }
    if (exact.has(url)) {
      plan.alreadyListed++;
      continue;
    }
    if (own.has(bareHost(new URL(url).hostname))) {
      plan.own++;
      continue;
    }
    const key = nearKey(url)!;
    const earlier = near.get(key);
    if (earlier) {
      plan.nearDuplicates.push({ entry, resembles: earlier.where, url: earlier.url });
      continue;
    }
    const note = entry.title && entry.title.trim() !== url ? noteOf(entry.title) : "";
    const line: PlannedLine = { url, text: formatLinkLine(url, { note, tags }), where: entry.where };
    plan.lines.push(line);
    planned.set(url, { line, note, tags });
    near.set(key, { where: entry.where, url });
  }
  return plan;
}
