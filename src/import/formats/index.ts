/**
 * Every format the importer reads, in the order detection tries them: the specific shapes first (a header row, a JSON
 * shape, a root element), a plain list of URLs last. `--format NAME` skips detection.
 */
import type { FormatName, ImportFormat, Sniffed } from "../types.ts";
import { bookmarks } from "./bookmarks.ts";
import { feed } from "./feed.ts";
import { html } from "./html.ts";
import { instapaper } from "./instapaper.ts";
import { karakeep } from "./karakeep.ts";
import { linkwarden } from "./linkwarden.ts";
import { markdownPost } from "./markdown.ts";
import { omnivore } from "./omnivore.ts";
import { opml } from "./opml.ts";
import { pinboard } from "./pinboard.ts";
import { pocket } from "./pocket.ts";
import { raindrop } from "./raindrop.ts";
import { sitemap } from "./sitemap.ts";
import { urls } from "./urls.ts";
import { wallabag } from "./wallabag.ts";

export const FORMATS: readonly ImportFormat[] = [
  pinboard,
  wallabag,
  omnivore,
  karakeep,
  linkwarden,
  pocket,
  instapaper,
  raindrop,
  bookmarks,
  opml,
  feed,
  sitemap,
  markdownPost,
  html,
  urls,
];

export const FORMAT_NAMES: readonly FormatName[] = FORMATS.map((format) => format.name);

export function formatNamed(name: string): ImportFormat | undefined {
  return FORMATS.find((format) => format.name === name);
}

/** The first format that recognises the text, or undefined. */
export function detectFormat(sniffed: Sniffed): ImportFormat | undefined {
  return FORMATS.find((format) => format.detect(sniffed));
}
