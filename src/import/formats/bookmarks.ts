/**
 * A browser's bookmarks export, the Netscape bookmark file every browser writes (and Pinboard, Raindrop and Pocket's
 * older ril_export.html are shaped like): <DT><H3>Folder</H3><DL><p> … <DT><A HREF="…" ADD_DATE="…" TAGS="a,b">Title</A>
 * … </DL><p>, tags unclosed as browsers write them. Folders on a bookmark's path become tags, except the browsers'
 * own roots (the bookmarks bar, "Other bookmarks", marked or named so); the TAGS attribute (Firefox, Pinboard, Pocket)
 * adds its comma-separated tags. Entries are named by line. Spec: https://learn.microsoft.com/previous-versions/windows/internet-explorer/ie-developer/platform-apis/aa753582(v=vs.85)
 */
import { lineFinder, oneLine, scanMarkup } from "../markup.ts";
import type { ImportFormat } from "../types.ts";
import { Collector, splitList } from "./common.ts";

/** Folders every browser has at the root: not the user's own, so not tags. */
const ROOT_FOLDERS = new Set(["bookmarks bar", "bookmarks toolbar", "bookmarks menu", "other bookmarks", "mobile bookmarks", "favorites bar", "favourites bar", "bookmarks", "unsorted bookmarks", "mozilla firefox"]);
const MAX_DEPTH = 64;

export const bookmarks: ImportFormat = {
  name: "bookmarks",
  label: "bookmarks export (Netscape bookmark file)",
  detect: ({ head }) => {
    const lower = head.toLowerCase();
    return lower.includes("<!doctype netscape-bookmark-file-1>") || (/<dl[\s>]/.test(lower) && /<dt[\s>]/.test(lower) && lower.includes("<a ")) || /<title>\s*pocket export/.test(lower);
  },
  parse(source, context) {
    const collector = new Collector(context);
    const lineOf = lineFinder(source.text);
    const folders: Array<string | undefined> = [];
    let pendingFolder: string | undefined;
    let heading: { text: string; root: boolean } | undefined;
    let link: { href: string; tags: string; line: number; text: string } | undefined;
    const finish = () => {
      if (!link || collector.full) return;
      const title = oneLine(link.text);
      collector.add({
        url: link.href.trim(),
        ...(title ? { title } : {}),
        tags: [...folders.filter((folder): folder is string => folder !== undefined), ...splitList(link.tags, /,/)],
        where: `${source.name}:${link.line}`,
      });
      link = undefined;
    };
    scanMarkup(source.text, { xml: false }, {
      open(name, attributes, at) {
        if (name === "h3") {
          heading = { text: "", root: attributes.personal_toolbar_folder === "true" || attributes.unfiled_bookmarks_folder === "true" };
        } else if (name === "dl") {
          folders.push(folders.length < MAX_DEPTH ? pendingFolder : undefined);
          pendingFolder = undefined;
        } else if (name === "a") {
          finish();
          if (attributes.href === undefined) collector.problem(`${source.name}:${lineOf(at)}`, "is a bookmark without an address (HREF)");
          else link = { href: attributes.href, tags: attributes.tags ?? "", line: lineOf(at), text: "" };
        }
      },
      close(name) {
        if (name === "h3" && heading) {
          const folder = oneLine(heading.text);
          pendingFolder = heading.root || ROOT_FOLDERS.has(folder.toLowerCase()) || folder === "" ? undefined : folder;
          heading = undefined;
        } else if (name === "dl") {
          folders.pop();
        } else if (name === "a") {
          finish();
        }
      },
      text(text) {
        if (link && link.text.length < 2000) link.text += text;
        else if (heading && heading.text.length < 500) heading.text += text;
      },
    });
    finish();
    return collector.result;
  },
};
