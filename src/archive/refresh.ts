/**
 * Whether a new capture may be kept, and how it compares with the capture already in the cache: nothing worth
 * keeping, worse than what is kept (a removal notice, a paywall, an error page served as 200), the same, or new.
 * Pure. Nothing already captured is ever replaced by a worse copy (DESIGN.md "Never lose data").
 */
import type { CaptureKind, CaptureMeta } from "../cache/types.ts";
import { WORSE_COPY_RATIO } from "./limits.ts";

export interface Candidate {
  kind: CaptureKind;
  wordCount: number;
  images: number;
  imagesFailed: number;
  /** sha256 of the body. */
  sha256: string;
}

export type Judgement =
  | { verdict: "new" }
  | { verdict: "unchanged" }
  | { verdict: "empty"; reason: string }
  | { verdict: "worse"; reason: string };

export function judgeCapture(url: string, candidate: Candidate, previous: CaptureMeta | undefined): Judgement {
  const isFile = candidate.kind === "pdf" || candidate.kind === "image";
  if (!isFile && candidate.wordCount === 0 && candidate.images === candidate.imagesFailed) {
    return { verdict: "empty", reason: `${url} came back with no text and no images; nothing worth keeping.` };
  }
  if (previous?.word_count && previous.kind === "article" && candidate.wordCount < previous.word_count * WORSE_COPY_RATIO) {
    return {
      verdict: "worse",
      reason: `${url} now has ${candidate.wordCount} words where the kept capture has ${previous.word_count}: probably a removal notice, paywall or error page. The previous capture was kept.`,
    };
  }
  if (previous?.content_sha256 === candidate.sha256) return { verdict: "unchanged" };
  return { verdict: "new" };
}
