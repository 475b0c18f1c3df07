/**
 * The fallback's page: an original already gone at its first capture, taken from the Wayback Machine's closest
 * snapshot (snapshot.ts) through the run's own fetcher. Output: a response that stands for the original (its address,
 * the snapshot's bytes) and the snapshot, or undefined. Never throws: without a snapshot the link fails as it would.
 */
import { ACCEPT_PAGE, type CaptureContext } from "../capture.ts";
import type { FetchedResource, Link } from "../types.ts";
import { findSnapshot, type Snapshot } from "./snapshot.ts";

/**
 * The original's closest snapshot in the Wayback Machine, fetched without the toolbar (`id_`) through the same guarded
 * fetcher, as a page whose address is the original's (its relative links and images resolve against the original, and
 * the images are then fetched from the snapshot, `im_`). Undefined when there is none, or it cannot be had: the link
 * then fails with the original's own answer.
 */
export async function snapshotPage(link: Link, ctx: Pick<CaptureContext, "fetcher" | "config">, signal: AbortSignal): Promise<{ page: FetchedResource; snapshot: Snapshot } | undefined> {
  try {
    const snapshot = await findSnapshot(ctx.fetcher, ctx.config.wayback, link.url, signal);
    if (!snapshot) return undefined;
    const raw = await ctx.fetcher.fetch(snapshot.rawUrl, { accept: ACCEPT_PAGE, signal });
    return { page: { ...raw, url: link.url, finalUrl: link.url, redirectChain: [link.url], redirectStatuses: [] }, snapshot };
  } catch {
    return undefined;
  }
}
