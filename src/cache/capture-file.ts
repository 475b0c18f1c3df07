/**
 * A capture file (cache/<hash>/index.html): YAML front matter between `---` lines, then the sanitized HTML. Rendering
 * and parsing, both with the `yaml` library and the YAML 1.2 core schema, so what is written reads back as written.
 * gray-matter only splits the file: its JavaScript, JSON and CoffeeScript engines (which run `eval`) are refused,
 * and so is any file that does not open with a plain `---` line. Pure: no I/O.
 */
import matter from "gray-matter";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { CaptureFileError } from "./errors.ts";

const refuse = (language: string) => (): never => {
  throw new CaptureFileError(`front matter must be YAML, not ${language}`);
};

/**
 * Every string value is written double-quoted: titles such as `09`, `0o17`, `yes`, `~` or `null` then stay strings
 * for any YAML reader, 1.1 or 1.2 (a reader of the archive may use either), and control characters and line
 * separators are written as escapes. No folding: one field, one line.
 */
const YAML_OUT = { schema: "core", defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN", lineWidth: 0 } as const;

const ENGINES = {
  yaml: {
    parse: (text: string) => (parseYaml(text, { schema: "core", uniqueKeys: true, logLevel: "error" }) ?? {}) as object,
    stringify: (data: object) => stringifyYaml(data, YAML_OUT),
  },
  js: { parse: refuse("JavaScript"), stringify: refuse("JavaScript") },
  javascript: { parse: refuse("JavaScript"), stringify: refuse("JavaScript") },
  json: { parse: refuse("JSON"), stringify: refuse("JSON") },
  coffee: { parse: refuse("CoffeeScript"), stringify: refuse("CoffeeScript") },
  coffeescript: { parse: refuse("CoffeeScript"), stringify: refuse("CoffeeScript") },
};

/** Passing options also keeps gray-matter from caching every file it reads (its cache is keyed by content, unbounded). */
const MATTER_OPTIONS = { engines: ENGINES, language: "yaml" };

/** Front matter (absent fields left out) then the body, ending with a newline. */
export function renderCaptureFile(meta: object, body: string): string {
  const data = Object.fromEntries(Object.entries(meta).filter(([, value]) => value !== undefined));
  return matter.stringify(body.endsWith("\n") ? body : `${body}\n`, data, MATTER_OPTIONS);
}

/** Front matter and body of a capture file. Throws CaptureFileError when it is not YAML front matter. */
export function parseCaptureFile(text: string): { data: unknown; body: string } {
  // gray-matter treats `---js` (or `--- js`) as a language tag; only a bare opening line is a capture file.
  if (!/^---[ \t]*\r?\n/.test(text)) throw new CaptureFileError("index.html does not begin with YAML front matter (---)");
  let file: matter.GrayMatterFile<string>;
  try {
    file = matter(text, MATTER_OPTIONS);
  } catch (error) {
    if (error instanceof CaptureFileError) throw error;
    throw new CaptureFileError(`front matter could not be parsed: ${(error as Error).message.split("\n")[0]}`, { cause: error });
  }
  return { data: file.data, body: file.content };
}

/**
 * The body of a capture file whose front matter was already checked, split exactly where gray-matter splits it (after
 * the first "\n---" past the opening line) without parsing the YAML a second time: at 10,000 pages that parse was the
 * costliest filter of the build.
 */
export function captureBodyOf(text: string): string {
  const close = text.indexOf("\n---", 3);
  if (close < 0) return "";
  let body = text.slice(close + 4);
  if (body[0] === "\r") body = body.slice(1);
  if (body[0] === "\n") body = body.slice(1);
  return body;
}
