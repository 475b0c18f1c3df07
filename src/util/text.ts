/** Cleaning text that came from a stranger before it is stored or published: what XML 1.0 forbids, and length. */

/**
 * Characters no published text should carry: C0 controls but tab, line feed and carriage return (XML 1.0 forbids
 * them, and one in a title makes feed.xml ill-formed), DEL and the C1 controls, U+FFFE and U+FFFF, and lone surrogates
 * (which no encoder can write). https://www.w3.org/TR/xml/#charsets
 */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function withoutForbiddenCharacters(text: string): string {
  return text.replace(FORBIDDEN, "");
}

/** At most `max` UTF-16 units, cut on a code point boundary, with an ellipsis when cut. */
export function capLength(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1; // never split a surrogate pair
  return `${text.slice(0, end).trimEnd()}…`;
}

/**
 * A metadata field as stored: forbidden characters removed, runs of ASCII white space (line breaks and indentation
 * from markup) as one space, trimmed, capped; undefined when nothing is left. Other spaces are content: a no-break
 * space before French punctuation, an ideographic space in a Japanese title.
 */
export function cleanField(value: string | null | undefined, max: number): string | undefined {
  if (value === null || value === undefined) return undefined;
  const folded = withoutForbiddenCharacters(value).replace(/[\t\n\f\r ]+/g, " ").replace(/^ | $/g, "");
  return folded ? capLength(folded, max) : undefined;
}
