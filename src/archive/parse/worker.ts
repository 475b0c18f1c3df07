/**
 * A worker thread of the extraction pool (pool.ts): page bytes, charset and URL in → the Article (and its image plan,
 * when asked) out, or the ArchiveError's code and message. Decode and extract are pure and synchronous; each worker has
 * its own jsdom window.
 */
import { parentPort } from "node:worker_threads";
import { decodeHtml } from "./decode.ts";
import { ArchiveError } from "../errors.ts";
import { extractArticle } from "./extract.ts";
import type { ExtractReply, ExtractTask } from "./pool.ts";

parentPort!.on("message", (task: ExtractTask) => {
  let reply: ExtractReply;
  try {
    const { html } = decodeHtml(Buffer.from(task.body.buffer, task.body.byteOffset, task.body.byteLength), task.charset);
    reply = { id: task.id, article: extractArticle(html, task.url, task.options) };
  } catch (error) {
    const archive = error instanceof ArchiveError;
    reply = {
      id: task.id,
      error: {
        name: error instanceof Error ? error.name : "Error",
        code: archive ? error.code : undefined,
        message: error instanceof Error ? error.message : String(error),
        url: archive ? error.url : undefined,
      },
    };
  }
  parentPort!.postMessage(reply);
});
