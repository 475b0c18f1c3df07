/**
 * Decode stage: response bytes (and the Content-Type charset, if any) in → a JavaScript string and the WHATWG name of
 * the encoding used. Pure: no I/O. Throws BadEncodingError only for a page that declares one of the WHATWG
 * "replacement" encodings (ISO-2022-KR, HZ-GB-2312, ...), which browsers refuse to decode; an unknown label is ignored.
 */
import { isUtf8 } from "node:buffer";
import { TextDecoder, getBOMEncoding, labelToName } from "@exodus/bytes/encoding.js";
import chardet from "chardet";
import sniffHtmlEncoding from "html-encoding-sniffer";
import { BadEncodingError } from "../errors.ts";

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
 * declaration at all, the spec lets the browser guess ("frequency analysis"), as Chrome and Firefox do: see
 * undeclaredDefault.
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

/** Bytes the detector reads: enough text to be sure, at a bounded cost on a 20 MB page. */
const DETECT_BYTES = 64 * 1024;
/**
 * Encodings a guess may pick, each with the confidence it needs (chardet's 0–100 score). The multi-byte East Asian
 * ones are recognized by their byte structure and score 100 on real text. Single-byte ones are told apart only by
 * letter frequencies, so of those only the Cyrillic pair is taken (Russian read as windows-1252 is unreadable, while a
 * Western page mistaken for Cyrillic would be too), and only when far ahead of the next guess.
 */
const GUESSES: Record<string, { confidence: number; lead: number }> = {
  Shift_JIS: { confidence: 50, lead: 1 },
  "EUC-JP": { confidence: 50, lead: 1 },
  GB18030: { confidence: 50, lead: 1 },
  Big5: { confidence: 50, lead: 1 },
  "EUC-KR": { confidence: 50, lead: 1 },
  "windows-1251": { confidence: 20, lead: 2.5 },
  "KOI8-R": { confidence: 20, lead: 2.5 },
};

/**
 * The encoding of a body that declares none. Valid UTF-8 is UTF-8: most undeclared pages today are, and legacy text
 * almost never is by accident. Otherwise a statistical detector (chardet, after ICU's) may name an East Asian or
 * Cyrillic encoding it is sure of; read as windows-1252 those pages would be mojibake from the first word. Anything
 * else is windows-1252, the spec's default for most locales (ISO-8859-1 is a subset of it).
 */
function undeclaredDefault(body: Buffer): string {
  if (isUtf8(body)) return "UTF-8";
  const [best, next] = chardet.analyse(body.subarray(0, DETECT_BYTES));
  const rule = best ? GUESSES[best.name] : undefined;
  if (best && rule && best.confidence >= rule.confidence && best.confidence >= rule.lead * (next?.confidence ?? 0)) return best.name;
  return "windows-1252";
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
