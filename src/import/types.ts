/**
 * What the importer's parts hand each other. A source (an export file, a feed, a folder of posts) is read by one
 * format module into entries (a URL as the source wrote it, its title, its tags, where it was) and problems (an entry
 * that could not be read, named by file and line or entry). Tags and titles are the source's own text here: they are
 * turned into links.txt's word form (src/links/line.ts) only when lines are planned (plan.ts).
 */

/** One link found in a source. */
export interface ImportEntry {
  /** The URL as the source wrote it (trimmed), never normalized: it becomes the capture key. */
  url: string;
  /** The source's title for it (a bookmark's name, a link's text), raw. */
  title?: string;
  /** The source's tags, folders or labels, raw ("Machine Learning", "Tech/Web"). */
  tags: string[];
  /** Where it was, for messages: "pocket.csv:12", "export.json entry 3", "posts/hello.md:14". */
  where: string;
}

/** An entry or a whole source that could not be read: reported, skipped, and the rest imported. */
export interface ImportProblem {
  where: string;
  reason: string;
}

export interface ParseResult {
  entries: ImportEntry[];
  problems: ImportProblem[];
  /** Host names of the blog a feed, sitemap or posts folder belongs to: links to them are not imported. */
  ownHosts?: string[];
  /** What was read, for the summary ("12 posts", "3 sitemaps, 40 pages"). */
  read?: string;
}

/** A source's text, decoded. */
export interface SourceText {
  /** The file (as given) or URL, for messages. */
  name: string;
  text: string;
  /** The address the text came from, when it came from the network: relative links resolve against it. */
  url?: string;
}

/** What parsing may need besides the text: bounds, the run's deadline, and the network for sitemaps. */
export interface ParseContext {
  /** Entries kept from all sources together; the rest are reported once, not read. */
  entries: EntryBudget;
  signal: AbortSignal;
  /** Fetches a page or a nested sitemap through the archiver's guarded fetcher; absent when fetching is not allowed. */
  fetchText?: (url: string, accept: string) => Promise<SourceText>;
  /** Pages a sitemap import may fetch, over all its sitemaps. */
  maxPages: number;
}

/** Counts entries against --max-entries over the whole run. */
export class EntryBudget {
  private used = 0;
  exhausted = false;
  readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }
  /** Whether one more entry may be kept; false (and exhausted) once the limit is reached. */
  take(): boolean {
    if (this.used >= this.limit) {
      this.exhausted = true;
      return false;
    }
    this.used++;
    return true;
  }
}

export type FormatName =
  | "bookmarks"
  | "pocket"
  | "pinboard"
  | "instapaper"
  | "raindrop"
  | "wallabag"
  | "linkwarden"
  | "karakeep"
  | "omnivore"
  | "opml"
  | "feed"
  | "sitemap"
  | "html"
  | "markdown"
  | "urls";

/** What detection looks at: the start of the text, the whole text parsed as JSON when it is JSON, the file's name. */
export interface Sniffed {
  head: string;
  json?: unknown;
  name: string;
}

/** One format a file (src/import/formats/): how to recognise it and how to read it. */
export interface ImportFormat {
  name: FormatName;
  /** "Pocket CSV export", for messages and the summary. */
  label: string;
  detect(sniffed: Sniffed): boolean;
  parse(source: SourceText, context: ParseContext, json?: unknown): ParseResult | Promise<ParseResult>;
}
