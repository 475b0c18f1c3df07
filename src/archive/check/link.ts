/**
 * One original, checked: a conditional GET with the validators its capture stored, then what the answer means — alive,
 * changed, moved, gone (a hard 404/410, a name that no longer resolves, or a soft 404), or unreachable for now — and,
 * when its words changed materially and the new copy is good, a new version captured from that same answer
 * (capture.ts keeps the previous one beside it). Output: an Observation for the status record, never a throw for the
 * link's own trouble. Side effects: only through captureLink (a new version).
 */
import { readRegularFile } from "../../cache/files.ts";
import { captureBodyOf } from "../../cache/capture-file.ts";
import { captureTokens, type TextToken } from "../../cache/capture-text.ts";
import { changedMaterially } from "../../cache/changes.ts";
import { captureFile } from "../../cache/layout.ts";
import { publicReason } from "../../cache/reasons.ts";
import type { Observation } from "../../cache/status.ts";
import type { CaptureMeta, CheckAnswer } from "../../cache/types.ts";
import { nearKey } from "../../links/near.ts";
import { answerOf, isGoneError } from "../answers.ts";
import { ACCEPT_PAGE, captureLink, type CaptureContext } from "../capture.ts";
import { CaptureTimeoutError } from "../errors.ts";
import { sanitizeArticle } from "../sanitize.ts";
import { sniffKind } from "../sniff.ts";
import type { ExtraHeaders, FetchedResource, Link } from "../types.ts";
import { softNotFound } from "../soft404.ts";

export interface LinkCheck {
  link: Link;
  /** What the check observed; undefined when the run ended before this link (left for the next run). */
  observation: Observation | undefined;
  /** A new version was kept. */
  newVersion: boolean;
}

const TEXT_KINDS = new Set(["article", "page", "text"]);

/** If-None-Match and If-Modified-Since from the capture's stored validators (RFC 9110 §13.1.2: ETag wins when both). */
export function conditionalHeaders(meta: Pick<CaptureMeta, "etag" | "last_modified">): ExtraHeaders {
  return { ...(meta.etag ? { "if-none-match": meta.etag } : {}), ...(meta.last_modified ? { "if-modified-since": meta.last_modified } : {}) };
}

/** The new address of a permanent redirect (301/308 first) to somewhere that is not a near duplicate of the URL. */
export function movedTo(page: Pick<FetchedResource, "url" | "finalUrl" | "redirectStatuses">): string | undefined {
  const first = page.redirectStatuses?.[0];
  if (first !== 301 && first !== 308) return undefined;
  const from = nearKey(page.url);
  const to = nearKey(page.finalUrl);
  return from !== undefined && to !== undefined && from !== to ? page.finalUrl : undefined;
}

const said = (code: string, status?: number): CheckAnswer => ({ ...(status ? { http_status: status } : {}), code, reason: publicReason(code) });

async function keptTokens(cacheDir: string, hash: string): Promise<TextToken[]> {
  return captureTokens(captureBodyOf(await readRegularFile(captureFile(cacheDir, hash), "utf8"))).tokens;
}

export async function checkLink(link: Link, meta: CaptureMeta, ctx: CaptureContext): Promise<LinkCheck> {
  const { cacheDir, capture: limits } = ctx.config;
  const runSignal = ctx.signal ?? new AbortController().signal;
  const timeUp = AbortSignal.timeout(limits.timeoutMs);
  const signal = AbortSignal.any([runSignal, timeUp]);
  const result = (observation: Observation | undefined, newVersion = false): LinkCheck => ({ link, observation, newVersion });
  let page: FetchedResource;
  try {
    page = await ctx.fetcher.fetch(link.url, { accept: ACCEPT_PAGE, headers: conditionalHeaders(meta), signal });
  } catch (error) {
    if (runSignal.aborted) return result(undefined);
    const answer = answerOf(error);
    return result(isGoneError(error) ? { kind: "verdict", status: "gone", answer } : { kind: "failed", answer });
  }
  if (page.status === 304) return result({ kind: "verdict", status: "alive", answer: said("CHECK_NOT_MODIFIED", 304) });
  const moved = movedTo(page);
  const kind = sniffKind(page);
  try {
    if (kind !== "html") {
      if (moved) return result({ kind: "verdict", status: "moved", answer: said("CHECK_MOVED", page.status), movedTo: moved });
      const same = kind === meta.kind; // a PDF still a PDF, an image still an image, text still text
      return result({ kind: "verdict", status: same ? "alive" : "changed", answer: said(same ? "CHECK_ANSWERS" : "CHECK_CHANGED", page.status) });
    }
    // The archiver's own parse path (worker thread, Readability, cleanup) and sanitizer: the words a capture would keep.
    const article = await ctx.extractor.extract(page.body, page.charset, page.finalUrl, {}, signal);
    const tokens = captureTokens(sanitizeArticle(article.html, { baseUrl: page.finalUrl })).tokens;
    const kept = await keptTokens(cacheDir, link.hash);
    const soft = softNotFound(kept, { url: link.url, finalUrl: page.finalUrl, title: article.title, tokens });
    if (soft) return result({ kind: "verdict", status: "gone", answer: said(soft.code, page.status) });
    if (moved) return result({ kind: "verdict", status: "moved", answer: said("CHECK_MOVED", page.status), movedTo: moved });
    if (!TEXT_KINDS.has(meta.kind)) return result({ kind: "verdict", status: "changed", answer: said("CHECK_CHANGED", page.status) });
    if (!changedMaterially(kept, tokens)) return result({ kind: "verdict", status: "alive", answer: said("CHECK_SAME", page.status) });
    const captured = await captureLink(link, ctx, { page, recordFailures: false });
    if (captured.outcome === "deferred") return result(undefined);
    if (captured.outcome === "captured" || captured.outcome === "unchanged") {
      return result({ kind: "verdict", status: "alive", answer: said(captured.newVersion ? "CHECK_NEW_VERSION" : "CHECK_SAME", page.status) }, captured.newVersion === true);
    }
    return result({ kind: "verdict", status: "changed", answer: said("CHECK_CHANGED", page.status) });
  } catch (error) {
    if (runSignal.aborted) return result(undefined);
    // The answer came, but could not be read (a parse that failed or ran out of time): not a verdict on the original.
    const failure = timeUp.aborted ? new CaptureTimeoutError(`checking ${link.url} took longer than ${limits.timeoutMs} ms`, { url: link.url }) : error;
    return result({ kind: "failed", answer: answerOf(failure) });
  }
}
