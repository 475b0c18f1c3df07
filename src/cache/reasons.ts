/**
 * What a failure record, the failures page, a commit message and a job summary say about a failed link: the error's
 * code and a fixed sentence for it. Never text a server chose (a Content-Type, a Location, a status line): on GitHub a
 * commit message saying "Fixes #1" closes an issue, "owner/repo#2" pings another repository, and a Markdown link in a
 * job summary is live; nor a private address a name resolved to on the runner's network. The full message, with the
 * server's words quoted, stays in the run's own log.
 */

const REASONS: Record<string, string> = {
  ARCHIVE_BAD_LINK: "the line is not an http(s) URL the archiver can fetch",
  ARCHIVE_BLOCKED_ADDRESS: "the address is private, local or reserved, so it was not fetched",
  ARCHIVE_DNS: "the host name does not resolve",
  ARCHIVE_NETWORK: "the connection failed",
  ARCHIVE_TLS: "the server's TLS certificate is not trusted",
  ARCHIVE_FETCH_TIMEOUT: "the server was too slow",
  ARCHIVE_CAPTURE_TIMEOUT: "the capture did not finish within its time limit",
  ARCHIVE_TOO_LARGE: "the page is larger than the archiver keeps",
  ARCHIVE_TOO_MANY_REDIRECTS: "it redirects too many times",
  ARCHIVE_REDIRECT_LOOP: "it redirects in a loop",
  ARCHIVE_BAD_REDIRECT: "it redirects to an address that is not http(s)",
  ARCHIVE_BAD_ENCODING: "its text is in an encoding browsers refuse to decode",
  ARCHIVE_UNSUPPORTED_TYPE: "it is not a kind of document the archiver keeps (HTML, text, PDF or image)",
  ARCHIVE_PARSE: "its HTML could not be parsed",
  ARCHIVE_EMPTY: "it came back empty, or much shorter than the kept capture (the kept capture stays)",
  ARCHIVE_SOFT_404: 'it now answers with a "not found" or parked page (the kept capture stays)',
  ARCHIVE_IMAGE: "the image could not be stored",
  ARCHIVE_STORE: "the capture could not be written",
  ARCHIVE_CANCELLED: "the run was stopped before it finished",
  ARCHIVE_BAD_BODY: "the server sent a corrupt response",
  ARCHIVE_INTERNAL: "an unexpected error in the archiver",
  // What the link watch (npm run check) found of an original that answered.
  CHECK_NOT_MODIFIED: "it answered 304 Not Modified: unchanged since it was captured",
  CHECK_SAME: "it answers with the words the capture keeps",
  CHECK_NEW_VERSION: "its words changed; the new version is kept beside the earlier ones",
  CHECK_CHANGED: "its words changed, but the new copy was not kept (much shorter, another kind of document, or it could not be captured)",
  CHECK_ANSWERS: "it still answers (the content of this kind of capture is not compared)",
  CHECK_MOVED: "it redirects permanently to another address",
  CHECK_NOT_FOUND_PAGE: 'it answers with a "not found" page that keeps almost none of the archived text',
  CHECK_FRONT_PAGE: "it redirects to the site's front page, which keeps almost none of the archived text",
  CHECK_PARKED: "its domain is parked or for sale",
};

/** "ARCHIVE_HTTP_STATUS" with status 404 → "the server answered HTTP 404 (the page is gone)". */
export function publicReason(code: string, status?: number): string {
  if (code === "ARCHIVE_HTTP_STATUS") {
    if (status === undefined || !Number.isInteger(status) || status < 100 || status > 599) return "the server answered with an error status";
    const gloss = status === 404 || status === 410 ? " (the page is gone)" : status === 429 ? " (too many requests)" : status === 401 || status === 403 ? " (access refused)" : status >= 500 ? " (the server failed)" : "";
    return `the server answered HTTP ${status}${gloss}`;
  }
  return REASONS[code] ?? "it could not be archived";
}

/** The status of an ARCHIVE_HTTP_STATUS reason written by publicReason (or an older message), for re-deriving it. */
export function statusIn(reason: string): number | undefined {
  const m = /\bHTTP (\d{3})\b/.exec(reason.slice(0, 500));
  return m ? Number(m[1]) : undefined;
}
