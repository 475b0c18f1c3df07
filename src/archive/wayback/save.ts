/**
 * The Internet Archive as a second copy: Save Page Now 2 (SPN2: `POST <save>` with `url=…`, `Authorization: LOW
 * key:secret`, answered `{"url","job_id"}`; then `GET <save>/status/<job_id>` until `{"status":"success","timestamp"}`
 * or `"error"`). Input: newly captured URLs, the keys, the run's guarded fetcher. Output: for each, the snapshot's
 * address, or why there is none. A failure is a result, never the end of a capture or a run; a 429 is backed off
 * (Retry-After, bounded) and a small fixed number of jobs run at once. Answers are untrusted JSON, bounded and checked.
 */
import { setTimeout as sleep } from "node:timers/promises";
import pLimit from "p-limit";
import { HttpStatusError } from "../errors.ts";
import type { Fetcher, SaveConfig } from "../types.ts";
import { snapshotAt } from "./snapshot.ts";

export type SaveResult = { url: string; ok: true; snapshotUrl: string } | { url: string; ok: false; reason: string };

const ANSWER_MAX_BYTES = 256 * 1024;
/** A 429 is waited out at most this long, and at most this many times, before the URL is left for another run. */
const BACKOFF_MAX_MS = 60_000;
const BACKOFF_TRIES = 3;
const JOB_ID = /^[A-Za-z0-9_.:-]{1,200}$/;

async function json(fetcher: Fetcher, url: string, request: Parameters<Fetcher["fetch"]>[1]): Promise<Record<string, unknown>> {
  const answer = await fetcher.fetch(url, { ...request, accept: "application/json", maxBytes: ANSWER_MAX_BYTES });
  const data: unknown = JSON.parse(answer.body.toString("utf8"));
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new Error("the answer is not a JSON object");
  return data as Record<string, unknown>;
}

/** One URL: submit (backing off on 429), then poll its job until it says where the snapshot is. */
export async function saveOne(fetcher: Fetcher, config: SaveConfig, url: string, signal?: AbortSignal): Promise<SaveResult> {
  const authorization = `LOW ${config.accessKey}:${config.secretKey}`;
  try {
    let submitted: Record<string, unknown> | undefined;
    for (let attempt = 1; !submitted; attempt++) {
      try {
        submitted = await json(fetcher, config.saveUrl, {
          method: "POST",
          body: new URLSearchParams({ url, skip_first_archive: "1" }).toString(),
          headers: { authorization, "content-type": "application/x-www-form-urlencoded" },
          signal,
        });
      } catch (error) {
        if (!(error instanceof HttpStatusError) || error.status !== 429 || attempt >= BACKOFF_TRIES) throw error;
        await sleep(Math.min(error.retryAfterMs ?? config.pollMs * 2 ** attempt, BACKOFF_MAX_MS), undefined, { signal });
      }
    }
    const job = submitted.job_id;
    if (typeof job !== "string" || !JOB_ID.test(job)) return { url, ok: false, reason: "Save Page Now did not start a job" };
    const statusUrl = `${config.saveUrl.replace(/\/+$/, "")}/status/${encodeURIComponent(job)}`;
    const until = Date.now() + config.waitMs;
    for (;;) {
      const status = await json(fetcher, statusUrl, { headers: { authorization }, signal });
      if (status.status === "success" && typeof status.timestamp === "string" && /^\d{14}$/.test(status.timestamp)) {
        return { url, ok: true, snapshotUrl: snapshotAt(config, url, status.timestamp).viewUrl };
      }
      if (status.status !== "pending") return { url, ok: false, reason: "Save Page Now could not capture it" };
      if (Date.now() + config.pollMs > until) return { url, ok: false, reason: "Save Page Now had not finished in time" };
      await sleep(config.pollMs, undefined, { signal });
    }
  } catch (error) {
    if (error instanceof HttpStatusError) return { url, ok: false, reason: `Save Page Now answered HTTP ${error.status}` };
    return { url, ok: false, reason: "Save Page Now could not be reached or answered oddly" };
  }
}

/** Every URL, a few at a time; results in the order given. */
export async function saveToWayback(fetcher: Fetcher, config: SaveConfig, urls: readonly string[], signal?: AbortSignal): Promise<SaveResult[]> {
  const limit = pLimit(Math.max(1, config.concurrency));
  return Promise.all(urls.map((url) => limit(() => saveOne(fetcher, config, url, signal))));
}
