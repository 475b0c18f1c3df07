/**
 * The data that flows between the archiver's stages, and the resolved configuration each stage receives.
 * Only config.ts reads argv and the environment; every stage gets these plain objects. The records of cache/ are
 * in ../cache/types.ts.
 */
import type { CaptureKind } from "../cache/types.ts";

/** One usable line of links.txt. */
export interface Link {
  /** The URL exactly as written on its line, trimmed: the capture key. Never normalized. */
  url: string;
  /** md5(url), hex: the capture folder name and the mirror address. */
  hash: string;
  /** 1-based line number in the links file, for messages. */
  line: number;
  /** The line's annotation (links.txt `# note #tag`): shown by the site, never part of the key. */
  note?: string;
  tags?: string[];
}

/** A line of links.txt that could not be used, reported as `links.txt:<line>: <reason>`. */
export interface LinkProblem {
  line: number;
  text: string;
  reason: string;
}

/** Bounds on one HTTP exchange (every hop, every retry). */
export interface FetchLimits {
  /** TCP/TLS connect. */
  connectTimeoutMs: number;
  /** From request sent to response headers. */
  headersTimeoutMs: number;
  /** Longest silence while reading the body. */
  bodyIdleTimeoutMs: number;
  /** The whole exchange, redirects included: a dripping server cannot keep us longer than this. */
  totalTimeoutMs: number;
  /** Body bytes after decompression. */
  maxBytes: number;
  maxRedirects: number;
  /** Extra attempts after the first, for retryable failures (network errors, 429, 503). */
  retries: number;
  /** First backoff delay; doubles each retry; a Retry-After header is honoured up to maxRetryDelayMs. */
  retryBaseDelayMs: number;
  maxRetryDelayMs: number;
}

export interface FetcherOptions {
  limits: FetchLimits;
  userAgent: string;
  /** Off by default: loopback, private, link-local, unique-local and unspecified addresses are refused. */
  allowPrivateNetwork: boolean;
  /** Requests to one host at once (politeness); other hosts proceed meanwhile. */
  perHostConcurrency: number;
  /**
   * Remember hosts found down (no DNS name, refused, unreachable, connect timeout, untrusted certificate) for the
   * rest of the Fetcher's life, and fail their other requests at once. On unless false (the bench turns it off to
   * measure what it saves).
   */
  rememberDeadHosts?: boolean;
  /** DNS resolution, injectable so tests can make a public-looking name resolve to a private address. */
  lookup?: (hostname: string) => Promise<Array<{ address: string; family: 4 | 6 }>>;
}

/**
 * The request headers a caller may add, by name: validators of a conditional request (RFC 9110 §13.1, the link
 * watch), and what Save Page Now needs. Nothing else: the fetcher owns every other header.
 */
export interface ExtraHeaders {
  "if-none-match"?: string;
  "if-modified-since"?: string;
  authorization?: string;
  "content-type"?: string;
}

/** One request through a Fetcher. */
export interface FetchRequest {
  /** Sent as the Accept header. */
  accept?: string;
  /** GET by default. A POST is sent once, never retried, and its redirects are not followed (it answers as it is). */
  method?: "GET" | "POST";
  /** A POST's body. */
  body?: string;
  headers?: ExtraHeaders;
  /** Overrides limits.maxBytes for this request (images have their own cap). */
  maxBytes?: number;
  /** Overrides limits.totalTimeoutMs for this request. */
  totalTimeoutMs?: number;
  /** Cancels the whole fetch (the run is being stopped). */
  signal?: AbortSignal;
}

/** What a Fetcher has sent and read so far (the bench reports a check's cost from it). */
export interface FetchStats {
  /** Requests sent: every hop and every retry. */
  requests: number;
  /** Body bytes read, after decompression. */
  bytes: number;
}

/** Owns the HTTP agent for a run: every page and image request goes through one of these. */
export interface Fetcher {
  fetch(url: string, request?: FetchRequest): Promise<FetchedResource>;
  close(): Promise<void>;
  /** Counts so far (a fetcher a test hands in may have none). */
  stats?(): FetchStats;
}

/** A response body read within bounds and decompressed, after following redirects. */
export interface FetchedResource {
  /** The URL asked for. */
  url: string;
  /** The URL the body came from, after redirects. */
  finalUrl: string;
  /** Every URL visited, in order, the first being `url` and the last `finalUrl`. */
  redirectChain: string[];
  /** The status of each redirect hop, in order (one fewer than redirectChain): 301/308 are permanent. */
  redirectStatuses?: number[];
  /** 304 Not Modified only when the request was conditional (then the body is empty); else 2xx. */
  status: number;
  /** Lower-cased header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The media type of Content-Type, lower-cased, without parameters ("" when absent). */
  mediaType: string;
  /** The charset parameter of Content-Type, if any, as sent. */
  charset: string | undefined;
  body: Buffer;
  /** How many attempts it took (1 when the first worked). */
  attempts: number;
}

/** What extraction found in a page. Its `html` is NOT yet safe: it must go through sanitizeArticle. */
export interface Article {
  title: string;
  byline: string | undefined;
  siteName: string | undefined;
  lang: string | undefined;
  dir: "ltr" | "rtl" | undefined;
  excerpt: string | undefined;
  publishedTime: string | undefined;
  /** Unsanitized HTML of the article (or of the whole body when `readerable` is false). */
  html: string;
  /** True when Readability found an article; false when we kept the page's body as-is. */
  readerable: boolean;
}

export type ImageFormat = "webp" | "avif";

export interface ImageLimits {
  /** Bytes of one downloaded image (before decoding). */
  maxBytes: number;
  /** Decoded pixels of one image (sharp's limitInputPixels): stops decompression bombs. */
  maxInputPixels: number;
  /** Stored images are resized down to this width. */
  maxWidth: number;
  /** Download and re-encode of one image. */
  timeoutMs: number;
  format: ImageFormat;
  quality: number;
  /** Images of one capture fetched and encoded at once. */
  concurrency: number;
}

export type ProgressMode = "bar" | "lines" | "quiet";

export interface CaptureLimits {
  /** Wall-clock time of one capture, from the first request to the stored folder. */
  timeoutMs: number;
  /** Images one capture fetches at most; the others keep their alt text. */
  maxImages: number;
  /** Bytes one capture folder may hold: its images, its file, its index.html. */
  maxBytes: number;
}

export interface ArchiveConfig {
  linksFile: string;
  cacheDir: string;
  refresh: boolean;
  concurrency: number;
  /** Worker threads that parse pages (decode + extract); 0 parses on the main thread. */
  workers: number;
  perHostConcurrency: number;
  allowPrivateNetwork: boolean;
  userAgent: string;
  /** Written into every capture's front matter: the product and its version (never parsed from the User-Agent). */
  archiver: string;
  fetch: FetchLimits;
  images: ImageLimits;
  /** Bounds on one capture as a whole: every fetch, the parse and every image within them. */
  capture: CaptureLimits;
  /** The whole run ends by then (0: no limit): links not captured by then are left for the next run. */
  runTimeoutMs: number;
  shard: { index: number; count: number } | undefined;
  progress: ProgressMode;
  /** The Internet Archive: a fallback for originals already gone, and (with keys) a second copy of each new capture. */
  wayback: WaybackConfig;
}

/** The Wayback Machine's addresses: options, so the tests point them at a local fake. */
export interface WaybackEndpoints {
  /** The availability API, `…/wayback/available`. */
  availabilityUrl: string;
  /** The replay base, `…/web`: `<base>/<timestamp>/<url>` shows a snapshot, `<base>/<timestamp>id_/<url>` serves its bytes. */
  replayUrl: string;
}

export interface WaybackConfig extends WaybackEndpoints {
  fallback: boolean;
  /** Save Page Now, when asked for (and keys are set); undefined when off. */
  save: SaveConfig | undefined;
}

export interface SaveConfig extends WaybackEndpoints {
  /** `…/save`. */
  saveUrl: string;
  accessKey: string;
  secretKey: string;
  /** Jobs at once: SPN2 limits concurrent captures per account. */
  concurrency: number;
  /** How often a job's status is asked, and for how long at most. */
  pollMs: number;
  waitMs: number;
}

/** deferred: not captured because the run's time limit came first; the next run tries it (nothing is recorded). */
export type LinkOutcome = "captured" | "unchanged" | "skipped" | "failed" | "deferred";

/** The result of one link in a run; the summary and exit code come from these. */
export interface CaptureResult {
  link: Link;
  outcome: LinkOutcome;
  /** For failed: the stable error code and message (the message may quote what a server sent: logs only). */
  code?: string;
  reason?: string;
  /** For failed: the code's fixed sentence, safe to publish (failure records, commit messages, job summaries). */
  publicReason?: string;
  /** For failed refreshes: the previous capture was kept. */
  keptPrevious?: boolean;
  kind?: CaptureKind;
  /** For captured: images that could not be stored. */
  imagesFailed?: number;
  title?: string;
  /** For captured: the previous capture was kept as an earlier version (its words changed materially). */
  newVersion?: boolean;
  /** For captured: taken from the Internet Archive's snapshot, the original being gone. */
  source?: "internet-archive";
  /** For captured, when Save Page Now was asked: its snapshot, or why there is none (never a failure of the link). */
  waybackSave?: { ok: true; snapshotUrl: string } | { ok: false; reason: string };
}
