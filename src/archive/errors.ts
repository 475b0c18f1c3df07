/**
 * Every error the archiver raises, in one file. Each has a stable `code` that tests, logs and the recorded
 * failures match on; the message says what failed, for which input, and what to try.
 */
import { CacheWriteError } from "../cache/errors.ts";

export type ArchiveErrorCode =
  | "ARCHIVE_USAGE"
  | "ARCHIVE_BAD_LINK"
  | "ARCHIVE_BLOCKED_ADDRESS"
  | "ARCHIVE_DNS"
  | "ARCHIVE_NETWORK"
  | "ARCHIVE_TLS"
  | "ARCHIVE_FETCH_TIMEOUT"
  | "ARCHIVE_TOO_LARGE"
  | "ARCHIVE_TOO_MANY_REDIRECTS"
  | "ARCHIVE_REDIRECT_LOOP"
  | "ARCHIVE_BAD_REDIRECT"
  | "ARCHIVE_HTTP_STATUS"
  | "ARCHIVE_BAD_ENCODING"
  | "ARCHIVE_UNSUPPORTED_TYPE"
  | "ARCHIVE_PARSE"
  | "ARCHIVE_EMPTY"
  | "ARCHIVE_SOFT_404"
  | "ARCHIVE_IMAGE"
  | "ARCHIVE_STORE"
  | "ARCHIVE_CANCELLED"
  | "ARCHIVE_BAD_BODY"
  | "ARCHIVE_INTERNAL"
  | "ARCHIVE_CAPTURE_TIMEOUT";

export interface ArchiveErrorOptions {
  /** The URL (or links.txt location) the error is about. */
  url?: string;
  cause?: unknown;
}

export class ArchiveError extends Error {
  override name = "ArchiveError";
  readonly code: ArchiveErrorCode;
  readonly url: string | undefined;
  /** Whether trying again later may succeed (network trouble, 429/503): the fetcher retries these. */
  readonly retryable: boolean;

  constructor(code: ArchiveErrorCode, message: string, options: ArchiveErrorOptions & { retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.url = options.url;
    this.retryable = options.retryable ?? false;
  }
}

export class UsageError extends ArchiveError {
  override name = "UsageError";
  constructor(message: string, options: ArchiveErrorOptions = {}) {
    super("ARCHIVE_USAGE", message, options);
  }
}

export class BadLinkError extends ArchiveError {
  override name = "BadLinkError";
  constructor(message: string, options: ArchiveErrorOptions = {}) {
    super("ARCHIVE_BAD_LINK", message, options);
  }
}

export class BlockedAddressError extends ArchiveError {
  override name = "BlockedAddressError";
  constructor(message: string, options: ArchiveErrorOptions = {}) {
    super("ARCHIVE_BLOCKED_ADDRESS", message, options);
  }
}

export class DnsError extends ArchiveError {
  override name = "DnsError";
  constructor(message: string, options: ArchiveErrorOptions & { retryable?: boolean } = {}) {
    super("ARCHIVE_DNS", message, options);
  }
}

export class NetworkError extends ArchiveError {
  override name = "NetworkError";
  constructor(message: string, options: ArchiveErrorOptions = {}) {
    super("ARCHIVE_NETWORK", message, { ...options, retryable: true });
  }
}

/** The server's TLS certificate was refused (self-signed, expired, for another name): trying again gives the same. */
export class TlsError extends ArchiveError {
  override name = "TlsError";
  constructor(message: string, options: ArchiveErrorOptions = {}) {
    super("ARCHIVE_TLS", message, options);
  }
}

export class FetchTimeoutError extends ArchiveError {
  override name = "FetchTimeoutError";
  constructor(message: string, options: ArchiveErrorOptions = {}) {
    super("ARCHIVE_FETCH_TIMEOUT", message, { ...options, retryable: true });
  }
}

export class TooLargeError extends ArchiveError {
  override name = "TooLargeError";
  constructor(message: string, options: ArchiveErrorOptions = {}) {
    super("ARCHIVE_TOO_LARGE", message, options);
  }
}

export class TooManyRedirectsError extends ArchiveError {
  override name = "TooManyRedirectsError";
  constructor(message: string, options: ArchiveErrorOptions = {}) {
    super("ARCHIVE_TOO_MANY_REDIRECTS", message, options);
  }
}

export class RedirectLoopError extends ArchiveError {
  override name = "RedirectLoopError";
  constructor(message: string, options: ArchiveErrorOptions = {}) {
    super("ARCHIVE_REDIRECT_LOOP", message, options);
  }
}

export class BadRedirectError extends ArchiveError {
  override name = "BadRedirectError";
  constructor(message: string, options: ArchiveErrorOptions = {}) {
    super("ARCHIVE_BAD_REDIRECT", message, options);
  }
}

export class HttpStatusError extends ArchiveError {
  override name = "HttpStatusError";
  readonly status: number;
  /** How long the server asked us to wait (Retry-After of a 429 or 503), in ms. */
  readonly retryAfterMs: number | undefined;
  constructor(status: number, message: string, options: ArchiveErrorOptions & { retryAfterMs?: number | undefined } = {}) {
    // 429 and 5xx other than 501 may pass; 404, 410 and other 4xx will not.
    super("ARCHIVE_HTTP_STATUS", message, { ...options, retryable: status === 429 || (status >= 500 && status !== 501) });
    this.status = status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export class UnsupportedTypeError extends ArchiveError {
  override name = "UnsupportedTypeError";
  constructor(message: string, options: ArchiveErrorOptions = {}) {
    super("ARCHIVE_UNSUPPORTED_TYPE", message, options);
  }
}

/** The page declares a charset that cannot be decoded to text (a WHATWG "replacement" encoding such as ISO-2022-KR). */
export class BadEncodingError extends ArchiveError {
  override name = "BadEncodingError";
  constructor(message: string, options: ArchiveErrorOptions = {}) {
    super("ARCHIVE_BAD_ENCODING", message, options);
  }
}

export class ParseError extends ArchiveError {
  override name = "ParseError";
  constructor(message: string, options: ArchiveErrorOptions = {}) {
    super("ARCHIVE_PARSE", message, options);
  }
}

export class EmptyCaptureError extends ArchiveError {
  override name = "EmptyCaptureError";
  constructor(message: string, options: ArchiveErrorOptions = {}) {
    super("ARCHIVE_EMPTY", message, options);
  }
}

/** A refresh or check answered with a "not found" or parked page where an article was: the kept capture stays. */
export class SoftNotFoundError extends ArchiveError {
  override name = "SoftNotFoundError";
  constructor(message: string, options: ArchiveErrorOptions = {}) {
    super("ARCHIVE_SOFT_404", message, options);
  }
}

export class ImageError extends ArchiveError {
  override name = "ImageError";
  constructor(message: string, options: ArchiveErrorOptions = {}) {
    super("ARCHIVE_IMAGE", message, options);
  }
}

export class StoreError extends ArchiveError {
  override name = "StoreError";
  constructor(message: string, options: ArchiveErrorOptions = {}) {
    super("ARCHIVE_STORE", message, options);
  }
}

/** The run asked a fetch to stop (it is ending): not the server's fault, and not retried. */
export class CancelledError extends ArchiveError {
  override name = "CancelledError";
  constructor(message: string, options: ArchiveErrorOptions = {}) {
    super("ARCHIVE_CANCELLED", message, options);
  }
}

/** The server sent a body that cannot be decoded (a corrupt gzip stream): the same bytes would come back. */
export class BadBodyError extends ArchiveError {
  override name = "BadBodyError";
  constructor(message: string, options: ArchiveErrorOptions = {}) {
    super("ARCHIVE_BAD_BODY", message, options);
  }
}

/** One capture as a whole (its fetches, its parse, its images) did not finish within --capture-timeout. */
export class CaptureTimeoutError extends ArchiveError {
  override name = "CaptureTimeoutError";
  constructor(message: string, options: ArchiveErrorOptions = {}) {
    super("ARCHIVE_CAPTURE_TIMEOUT", message, options);
  }
}

/** Something the archiver did not expect (a bug, a full disk, a closed pool): never disguised as another code. */
export class InternalError extends ArchiveError {
  override name = "InternalError";
  constructor(message: string, options: ArchiveErrorOptions = {}) {
    super("ARCHIVE_INTERNAL", message, options);
  }
}

/**
 * Every code's class, so an error that crossed a thread (as its code, message and URL) comes back as itself. Codes
 * whose class needs more than a message (an HTTP status) come back as the base class with their code.
 */
const CLASSES: Partial<Record<ArchiveErrorCode, new (message: string, options?: ArchiveErrorOptions) => ArchiveError>> = {
  ARCHIVE_USAGE: UsageError,
  ARCHIVE_BAD_LINK: BadLinkError,
  ARCHIVE_BLOCKED_ADDRESS: BlockedAddressError,
  ARCHIVE_DNS: DnsError,
  ARCHIVE_NETWORK: NetworkError,
  ARCHIVE_TLS: TlsError,
  ARCHIVE_FETCH_TIMEOUT: FetchTimeoutError,
  ARCHIVE_TOO_LARGE: TooLargeError,
  ARCHIVE_TOO_MANY_REDIRECTS: TooManyRedirectsError,
  ARCHIVE_REDIRECT_LOOP: RedirectLoopError,
  ARCHIVE_BAD_REDIRECT: BadRedirectError,
  ARCHIVE_BAD_ENCODING: BadEncodingError,
  ARCHIVE_UNSUPPORTED_TYPE: UnsupportedTypeError,
  ARCHIVE_PARSE: ParseError,
  ARCHIVE_EMPTY: EmptyCaptureError,
  ARCHIVE_SOFT_404: SoftNotFoundError,
  ARCHIVE_IMAGE: ImageError,
  ARCHIVE_STORE: StoreError,
  ARCHIVE_CANCELLED: CancelledError,
  ARCHIVE_BAD_BODY: BadBodyError,
  ARCHIVE_INTERNAL: InternalError,
  ARCHIVE_CAPTURE_TIMEOUT: CaptureTimeoutError,
};

/** The error of a code, rebuilt from what crossed a thread. */
export function reviveArchiveError(code: ArchiveErrorCode, message: string, url: string | undefined): ArchiveError {
  const Class = CLASSES[code];
  return Class ? new Class(message, { url }) : new ArchiveError(code, message, { url });
}

/** Any thrown value as an ArchiveError, so one link's failure is always a recorded result with a code. */
export function toArchiveError(error: unknown, url?: string): ArchiveError {
  if (error instanceof ArchiveError) return error;
  if (error instanceof CacheWriteError) return new StoreError(error.message, { url, cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new InternalError(`Unexpected error while archiving${url ? ` ${url}` : ""}: ${message}`, { url, cause: error });
}
