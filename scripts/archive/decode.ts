/**
 * Decode stage: response bytes (and the Content-Type charset, if any) in → a JavaScript string and the WHATWG name of
 * the encoding used. Pure: no I/O. Throws BadEncodingError only for a page that declares one of the WHATWG
 * "replacement" encodings (ISO-2022-KR, HZ-GB-2312, ...), which browsers refuse to decode; an unknown label is ignored.
 */
import { isUtf8 } from "node:buffer";
import { TextDecoder, getBOMEncoding, labelToName } from "@exodus/bytes/encoding.js";
import sniffHtmlEncoding from "html-encoding-sniffer";
import { BadEncodingError } from "./errors.ts";

export interface DecodedText {
  /** The decoded text, without its byte order mark. */
  html: string;
  /** The WHATWG encoding name used, lower-cased as TextDecoder reports it: "utf-8", "windows-1252", "shift_jis". */
  encoding: string;
}

/** Returned by the sniffer when neither BOM, header nor <meta> said anything, so we can apply our own default. */
const UNDECLARED = "x-undeclared";
/**
 * The WHATWG prescan looks at 1024 bytes, but the spec's tree builder still honours a later <meta charset> (it
 * "changes the encoding" and reparses: https://html.spec.whatwg.org/multipage/parsing.html#changing-the-encoding-while-parsing).
 * Pages with long inline scripts before their <meta> are common, so a second, wider prescan stands in for that reparse.
 */
const LATE_META_PRESCAN_BYTES = 64 * 1024;

/**
 * Decodes an HTML document the way a browser picks its encoding
 * (https://html.spec.whatwg.org/multipage/parsing.html#encoding-sniffing-algorithm): BOM, then the HTTP charset, then a
 * <meta charset>/<meta http-equiv> prescan of the first 1024 bytes, then a wider prescan for a late <meta>. With no
 * declaration at all, the spec suggests windows-1252 for most locales; most undeclared pages today are UTF-8, so we use
 * UTF-8 when the bytes are valid UTF-8 (legacy single-byte text almost never is) and windows-1252 otherwise.
 */
export function decodeHtml(body: Buffer, headerCharset?: string): DecodedText {
  const transportLayerEncodingLabel = cleanLabel(headerCharset);
  let encoding = sniffHtmlEncoding(body, { transportLayerEncodingLabel, defaultEncoding: UNDECLARED });
  if (encoding === UNDECLARED) {
    encoding = sniffHtmlEncoding(body, { maxPrescanBytes: LATE_META_PRESCAN_BYTES, defaultEncoding: UNDECLARED });
  }
  if (encoding === UNDECLARED) encoding = undeclaredDefault(body);
  return decodeWith(encoding, body, transportLayerEncodingLabel);
}

/**
 * Decodes a text/plain body: BOM, then the HTTP charset, else UTF-8 when the bytes are valid UTF-8, else windows-1252
 * (there is no <meta> to read in plain text).
 */
export function decodeText(body: Buffer, headerCharset?: string): string {
  const label = cleanLabel(headerCharset);
  const encoding =
    labelToName(getBOMEncoding(body) ?? "") ?? (label === undefined ? null : labelToName(label)) ?? undeclaredDefault(body);
  return decodeWith(encoding, body, label).html;
}

function undeclaredDefault(body: Buffer): string {
  return isUtf8(body) ? "UTF-8" : "windows-1252";
}

function decodeWith(encoding: string, body: Buffer, headerLabel: string | undefined): DecodedText {
  if (encoding === "replacement") {
    // The spec maps these labels to an encoding that yields a single U+FFFD, because their escape sequences can hide
    // markup from filters; an archive of one U+FFFD is worthless, so say so instead of storing it.
    const where =
      headerLabel !== undefined && labelToName(headerLabel) === "replacement"
        ? `charset "${headerLabel}" in its Content-Type header`
        : "a charset in a <meta> tag";
    throw new BadEncodingError(
      `The page declares ${where} that browsers refuse to decode (a WHATWG "replacement" encoding such as ` +
        `ISO-2022-KR); there is no text to archive.`,
    );
  }
  // @exodus/bytes follows the WHATWG Encoding Standard's tables (Node's TextDecoder gets some legacy ones wrong), and
  // strips a BOM matching the encoding. Non-fatal: a stray invalid byte becomes U+FFFD, as in a browser.
  const decoder = new TextDecoder(encoding);
  return { html: decoder.decode(body), encoding: decoder.encoding };
}

/** A Content-Type charset as sent may be quoted (`charset="utf-8"`); labelToName trims whitespace but not quotes. */
function cleanLabel(label: string | undefined): string | undefined {
  const cleaned = label?.trim().replace(/^(["'])(.*)\1$/, "$2").trim();
  return cleaned ? cleaned : undefined;
}
