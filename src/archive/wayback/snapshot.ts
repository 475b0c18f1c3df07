/**
 * The Internet Archive as a fallback: the closest snapshot the Wayback Machine holds of a URL, from its availability
 * API (https://archive.org/help/wayback_api.php: `{"archived_snapshots":{"closest":{"available":true,"url":…,
 * "timestamp":"YYYYMMDDhhmmss","status":"200"}}}`, or `{"archived_snapshots":{}}`). Input: the URL, the configured
 * endpoints, the run's guarded fetcher. Output: the snapshot's addresses, built from our own replay base and the
 * timestamp (never the address the answer names), or undefined. The answer is untrusted JSON: bounded and checked.
 */
import type { Fetcher, WaybackEndpoints } from "../types.ts";

export interface Snapshot {
  /** YYYYMMDDhhmmss, UTC. */
  timestamp: string;
  /** ISO 8601 of the timestamp. */
  date: string;
  /** The snapshot as the Wayback Machine shows it: what a capture links to. */
  viewUrl: string;
  /** The archived bytes as they were served, without the Wayback toolbar or rewritten links (`id_`). */
  rawUrl: string;
  /** The address an image of the page is fetched from (`im_`): the snapshot's own copy, nearest in time. */
  imageUrl(url: string): string;
}

/** The availability API's answer is a few hundred bytes; more is not an answer. */
const ANSWER_MAX_BYTES = 64 * 1024;

export function snapshotAt(endpoints: WaybackEndpoints, url: string, timestamp: string): Snapshot {
  const base = endpoints.replayUrl.replace(/\/+$/, "");
  const t = timestamp;
  return {
    timestamp: t,
    date: `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(8, 10)}:${t.slice(10, 12)}:${t.slice(12, 14)}Z`,
    viewUrl: `${base}/${t}/${url}`,
    rawUrl: `${base}/${t}id_/${url}`,
    imageUrl: (image) => `${base}/${t}im_/${image}`,
  };
}

/** A timestamp that is a real date-time (the API's answer is not trusted to be one). */
function isTimestamp(value: unknown): value is string {
  if (typeof value !== "string" || !/^\d{14}$/.test(value)) return false;
  const iso = `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}T${value.slice(8, 10)}:${value.slice(10, 12)}:${value.slice(12, 14)}Z`;
  return !Number.isNaN(Date.parse(iso)) && new Date(iso).toISOString().startsWith(iso.slice(0, 19));
}

/** The closest good (status 200) snapshot of `url`, or undefined when there is none or the API did not answer well. */
export async function findSnapshot(fetcher: Fetcher, endpoints: WaybackEndpoints, url: string, signal?: AbortSignal): Promise<Snapshot | undefined> {
  const query = new URL(endpoints.availabilityUrl);
  query.searchParams.set("url", url);
  const answer = await fetcher.fetch(query.href, { accept: "application/json", maxBytes: ANSWER_MAX_BYTES, signal });
  let data: unknown;
  try {
    data = JSON.parse(answer.body.toString("utf8"));
  } catch {
    return undefined;
  }
  const closest = (data as { archived_snapshots?: { closest?: Record<string, unknown> } } | null)?.archived_snapshots?.closest;
  if (!closest || closest.available !== true || String(closest.status ?? "200") !== "200" || !isTimestamp(closest.timestamp)) return undefined;
  return snapshotAt(endpoints, url, closest.timestamp);
}
