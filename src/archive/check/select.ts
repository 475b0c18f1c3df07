/**
 * Which links a check run asks about, so a large archive is checked politely, a slice a run: the links are cut into
 * `slices` by hash (the same rule as --shard), and a run takes the slice the check log says was checked longest ago
 * (one never checked first; one a run left unfinished before any other), or the slice it is told, and at most `max`
 * links of it in hash order, going on after where an unfinished run stopped. Pure.
 */
import { shardOf } from "../../cache/layout.ts";
import type { CheckLog } from "../../cache/types.ts";
import type { Link } from "../types.ts";

export interface Selection {
  slice: number;
  links: Link[];
  /** Set when `max` cut the slice short: the last hash taken, where the next run goes on. */
  resumeAfter: string | undefined;
}

export function chooseSlice(log: CheckLog, slices: number): number {
  const records = new Map(log.slices === slices ? log.slice_records.map((r) => [r.slice, r]) : []);
  const unfinished = [...records.values()].filter((r) => r.resume_after).sort((a, b) => Date.parse(a.checked_at) - Date.parse(b.checked_at))[0];
  if (unfinished) return unfinished.slice;
  let best = 1;
  let bestTime = Infinity;
  for (let slice = 1; slice <= slices; slice++) {
    const record = records.get(slice);
    const time = record ? Date.parse(record.checked_at) : -Infinity;
    if (time < bestTime) {
      best = slice;
      bestTime = time;
    }
  }
  return best;
}

export function selectLinks(links: readonly Link[], log: CheckLog, { slices, slice, max }: { slices: number; slice?: number | undefined; max: number }): Selection {
  const chosen = slice ?? chooseSlice(log, slices);
  const record = log.slices === slices ? log.slice_records.find((r) => r.slice === chosen) : undefined;
  const inSlice = links.filter((link) => shardOf(link.hash, slices) === chosen).sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  const after = record?.resume_after;
  const start = after ? inSlice.findIndex((link) => link.hash > after) : 0;
  const rest = start < 0 ? [] : inSlice.slice(start);
  const taken = max > 0 ? rest.slice(0, max) : rest;
  const cut = taken.length < rest.length;
  return { slice: chosen, links: taken, resumeAfter: cut ? taken.at(-1)?.hash : undefined };
}
