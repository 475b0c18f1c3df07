/**
 * A response body read into memory within bounds: Content-Encoding undone (gzip, deflate, br, zstd where Node has it),
 * the decoded size counted as it streams, so a decompression bomb stops at the cap.
 */
import { Transform, Writable } from "node:stream";
import type { Readable, TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import { ArchiveError, BadBodyError, TooLargeError, UnsupportedTypeError } from "../errors.ts";
import { describe } from "./failure.ts";
import type { FetchState } from "./state.ts";

// zstd arrived in node:zlib with Node 22.15/23.8; advertise it only where we can decode it.
const HAS_ZSTD = typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress === "function";
export const ACCEPT_ENCODING = HAS_ZSTD ? "gzip, deflate, br, zstd" : "gzip, deflate, br";

/** Streams the body through the decoders into memory, stopping as soon as the decoded size passes the cap. */
export async function readBody(body: Readable, codings: string[], target: URL, state: FetchState): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > state.maxBytes) {
        callback(
          new TooLargeError(
            `${describe(target, state)} is larger than the limit of ${state.maxBytes} bytes (after decompression); if it is wanted, raise --max-bytes (pages) or --image-max-bytes (images)`,
            { url: state.url },
          ),
        );
        return;
      }
      chunks.push(chunk);
      callback();
    },
  });
  // Content-Encoding lists codings in the order they were applied: undo them last first.
  const decoders = [...codings].reverse().map((coding) => createDecoder(coding));
  const decoderFailures = new WeakSet<object>();
  for (const decoder of decoders) decoder.once("error", (error) => decoderFailures.add(error));
  try {
    // pipeline destroys every stream on error or abort, so the socket is closed rather than drained.
    await pipeline([body, ...decoders, sink], { signal: state.signal });
  } catch (error) {
    // pipeline hands the sink's TooLargeError to every stream too, so only errors a decoder raised itself count.
    const fromDecoder = error instanceof Error && !(error instanceof ArchiveError) && decoderFailures.has(error);
    if (fromDecoder && !state.signal.aborted) {
      // Not retryable: the same bytes would come back.
      throw new BadBodyError(
        `The body of ${describe(target, state)} could not be decompressed (${codings.join(", ")}): ${error.message}; the server sent a corrupt response`,
        { url: state.url, cause: error },
      );
    }
    throw error;
  }
  return Buffer.concat(chunks, size);
}

export function contentCodings(header: string | undefined, target: URL, state: FetchState): string[] {
  if (!header) return [];
  const codings = header
    .split(",")
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== "" && coding !== "identity");
  for (const coding of codings) {
    if (!["gzip", "x-gzip", "deflate", "br", ...(HAS_ZSTD ? ["zstd"] : [])].includes(coding)) {
      throw new UnsupportedTypeError(
        `${describe(target, state)} is sent with Content-Encoding "${coding}", which the archiver cannot decode (it asks for ${ACCEPT_ENCODING})`,
        { url: state.url },
      );
    }
  }
  return codings;
}

// Lenient like browsers: a body whose compressed stream ends early but whose HTTP message was complete still decodes.
const ZLIB_OPTIONS = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };

function createDecoder(coding: string): Transform {
  switch (coding) {
    case "gzip":
    case "x-gzip":
      return zlib.createGunzip(ZLIB_OPTIONS);
    case "deflate":
      return new DeflateDecoder();
    case "br":
      return zlib.createBrotliDecompress({
        flush: zlib.constants.BROTLI_OPERATION_FLUSH,
        finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
      });
    default: // zstd, the only other coding contentCodings lets through
      return (zlib as unknown as { createZstdDecompress(): Transform }).createZstdDecompress();
  }
}

/**
 * "deflate" is meant to be zlib-wrapped (RFC 9110 §8.4.1.2), but some servers send raw deflate; like browsers, tell
 * them apart by the first byte (a zlib header's low nibble is 8, the deflate method). Output honours backpressure so
 * a bomb inflates only as fast as the byte counter downstream accepts it.
 */
class DeflateDecoder extends Transform {
  #inflater: zlib.Inflate | zlib.InflateRaw | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (!this.#inflater) {
      if (chunk.length === 0) return callback();
      const inflater =
        ((chunk[0] ?? 0) & 0x0f) === 0x08 ? zlib.createInflate(ZLIB_OPTIONS) : zlib.createInflateRaw(ZLIB_OPTIONS);
      inflater.on("data", (out: Buffer) => {
        if (!this.push(out)) inflater.pause();
      });
      inflater.on("error", (error) => this.destroy(error));
      this.#inflater = inflater;
    }
    this.#inflater.write(chunk, () => callback());
  }

  override _read(size: number): void {
    this.#inflater?.resume();
    super._read(size);
  }

  override _flush(callback: TransformCallback): void {
    const inflater = this.#inflater;
    if (!inflater) return callback();
    inflater.once("end", () => callback());
    inflater.end();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#inflater?.destroy();
    callback(error);
  }
}
