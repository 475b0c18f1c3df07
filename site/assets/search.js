// Search over the Pagefind index (written to <site>/pagefind/ by scripts/build.ts). The only script on the site.
// Result titles and excerpts come from archived text: they are put into the page as text nodes (and <mark>), never
// as HTML. The site root is found from this file's own URL, so it works under any path prefix.
// The index comes in partitions, each a Pagefind bundle (src/site/search-index.ts); the search page lists them.
// The first is loaded as the primary index (its script, worker and WebAssembly), the others merged into it.
const root = new URL("../", import.meta.url);
const bundles = (document.querySelector("[data-search-bundles]")?.getAttribute("data-search-bundles") ?? "").split(" ").filter(Boolean)
  .map((bundle) => new URL(bundle.replace(/^\/+/, ""), root));
const input = document.getElementById("search-input");
// Present when some capture is tagged: search within one tag (a Pagefind filter, set from links.txt's #tags).
const tagSelect = document.getElementById("search-tag");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const MAX_RESULTS = 30;

/** Pagefind's excerpt is HTML-escaped text with <mark> around hits: rebuild it with text nodes and <mark> only. */
function excerptNodes(html) {
  const doc = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html");
  const nodes = [];
  for (const node of doc.body.firstChild?.childNodes ?? []) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      nodes.push(mark);
    } else {
      nodes.push(document.createTextNode(node.textContent ?? ""));
    }
  }
  return nodes;
}

/**
 * Whether a result matched a query term itself rather than through Pagefind's fallback. When a word is in no page of
 * an index, Pagefind searches for its longest prefix that is (https://github.com/Pagefind/pagefind/pull/315):
 * "quetzalcoatlus" finds "Q". One index over the whole archive falls back only when no page has the word; with the
 * index in partitions, every partition without it falls back on its own, so those results are dropped whenever
 * another partition found the word. A marked word matches a term when it shares the term's first letters, allowing
 * for the few a stemmer takes off ("running" → "run").
 */
function matchesTerm(data, terms) {
  const marked = [...(data.excerpt ?? "").matchAll(/<mark>(.*?)<\/mark>/g)].map((m) => m[1].toLowerCase());
  return marked.some((word) =>
    terms.some((term) => {
      let common = 0;
      while (common < word.length && common < term.length && word[common] === term[common]) common++;
      return common >= Math.min(term.length, Math.max(3, term.length - 4));
    }),
  );
}

function resultItem(data) {
  const item = document.createElement("li");
  item.className = "capture-item";
  const heading = document.createElement("h2");
  heading.className = "capture-item-title";
  const link = document.createElement("a");
  // Pagefind's baseUrl already put the prefix in front; resolving keeps it a same-origin path.
  link.href = new URL(data.url, root).pathname;
  link.textContent = data.meta?.title || data.url;
  heading.append(link);
  const excerpt = document.createElement("p");
  excerpt.className = "capture-item-excerpt";
  excerpt.append(...excerptNodes(data.excerpt ?? ""));
  item.append(heading, excerpt);
  return item;
}

async function main() {
  const [primary, ...merged] = bundles;
  if (!primary) {
    status.textContent = "Nothing is archived yet, so there is nothing to search.";
    return;
  }
  // Pagefind's baseUrl already puts the prefix in front of each result; every partition needs it.
  const options = { baseUrl: root.pathname, excerptLength: 30 };
  const pagefind = await import(new URL("pagefind.js", primary).href);
  await pagefind.options(options);
  await pagefind.init();
  await Promise.all(merged.map((bundle) => pagefind.mergeIndex(bundle.pathname, options)));

  let latest = 0;
  async function run(query, tag) {
    const ticket = ++latest;
    const url = new URL(location.href);
    if (query) url.searchParams.set("q", query);
    else url.searchParams.delete("q");
    if (tag) url.searchParams.set("tag", tag);
    else url.searchParams.delete("tag");
    history.replaceState(null, "", url);
    if (!query.trim() && !tag) {
      list.replaceChildren();
      status.textContent = "Type a word to search titles and article text.";
      return;
    }
    // No words and a tag: every capture with that tag (Pagefind searches with a null query by filters alone).
    const search = await pagefind.search(query.trim() ? query : null, tag ? { filters: { tag } } : {});
    let data = await Promise.all(search.results.slice(0, MAX_RESULTS).map((result) => result.data()));
    if (ticket !== latest) return; // a newer query has started: drop this one
    const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    const direct = terms.length ? data.filter((result) => matchesTerm(result, terms)) : data;
    // Within a tag, only real matches: a prefix fallback there (the word is in the archive, just not in this tag) is
    // never what was asked for.
    const dropped = direct.length > 0 || tag ? data.length - direct.length : 0;
    if (dropped > 0) data = direct;
    list.replaceChildren(...data.map(resultItem));
    const count = search.results.length - dropped;
    const what = [query.trim() ? `“${query}”` : "", tag ? `tagged #${tag}` : ""].filter(Boolean).join(", ");
    status.textContent = count === 0 ? `No results for ${what}.` : `${count} result${count === 1 ? "" : "s"} for ${what}${count > MAX_RESULTS ? `, showing the first ${MAX_RESULTS}` : ""}.`;
  }

  const currentTag = () => tagSelect?.value ?? "";
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(input.value, currentTag()), 150);
  });
  tagSelect?.addEventListener("change", () => void run(input.value, currentTag()));
  input.disabled = false;
  const params = new URLSearchParams(location.search);
  const initial = params.get("q") ?? "";
  input.value = initial;
  if (tagSelect) {
    // Only a tag the page offers: anything else in the address is ignored.
    const wanted = params.get("tag") ?? "";
    tagSelect.value = [...tagSelect.options].some((option) => option.value === wanted) ? wanted : "";
    tagSelect.disabled = false;
  }
  await run(initial, currentTag());
  if (!initial) input.focus();
}

main().catch((error) => {
  status.textContent = "Search could not start. Browse the latest captures instead.";
  console.error(error);
});
