/**
 * A linear scan of HTML or XML for the importer: open tags with their attributes, close tags and decoded text, as
 * events. It drives htmlparser2's Tokenizer (a state machine, one pass over the text) and not its Parser, whose stack
 * of open elements makes deeply nested input quadratic (1.2 MB of nested tags took 12 s); readers here keep their own
 * bounded state instead. Entities are decoded (in text and attribute values), CDATA is text in XML, and in HTML the
 * content of script, style, title and textarea is raw text as browsers read it. Tag and attribute names are lower
 * case; an attribute given twice keeps its first value, as browsers do. Pure.
 */
import { Tokenizer, type TokenizerCallbacks } from "htmlparser2";

export type Attributes = Readonly<Record<string, string>>;

export interface MarkupHandler {
  /** An open tag; `at` is the index of its "<" in the text. */
  open?(name: string, attributes: Attributes, at: number): void;
  /** A close tag, or the end of a self-closing one. */
  close?(name: string): void;
  text?(text: string): void;
}

export function scanMarkup(text: string, { xml }: { xml: boolean }, handler: MarkupHandler): void {
  let name = "";
  let tagStart = 0;
  let attributes: Record<string, string> = Object.create(null) as Record<string, string>;
  let attributeName = "";
  let attributeValue = "";
  const slice = (start: number, end: number) => text.slice(start, end);
  const callbacks: TokenizerCallbacks = {
    ontext: (start, end) => handler.text?.(slice(start, end)),
    ontextentity: (codepoint) => handler.text?.(String.fromCodePoint(codepoint)),
    onopentagname(start, end) {
      name = slice(start, end).toLowerCase();
      tagStart = start - 1;
      attributes = Object.create(null) as Record<string, string>;
    },
    onattribname(start, end) {
      attributeName = slice(start, end).toLowerCase();
      attributeValue = "";
    },
    onattribdata(start, end) {
      attributeValue += slice(start, end);
    },
    onattribentity(codepoint) {
      attributeValue += String.fromCodePoint(codepoint);
    },
    onattribend() {
      if (!(attributeName in attributes)) attributes[attributeName] = attributeValue;
    },
    onopentagend: () => handler.open?.(name, attributes, tagStart),
    onselfclosingtag() {
      handler.open?.(name, attributes, tagStart);
      handler.close?.(name);
    },
    onclosetag: (start, end) => handler.close?.(slice(start, end).toLowerCase()),
    oncdata(start, end, offset) {
      if (xml) handler.text?.(slice(start, end - offset));
    },
    oncomment: () => {},
    ondeclaration: () => {},
    onprocessinginstruction: () => {},
    onend: () => {},
  };
  const tokenizer = new Tokenizer({ xmlMode: xml, decodeEntities: true, recognizeSelfClosing: xml }, callbacks);
  tokenizer.write(text);
  tokenizer.end();
}

/** The 1-based line of an index in `text`, by binary search over the line starts (computed once). */
export function lineFinder(text: string): (index: number) => number {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return (index) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= index) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
}

/** Text as one line: runs of white space collapsed, trimmed, capped (a title, a link's text). */
export function oneLine(text: string, max = 500): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
