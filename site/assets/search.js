// Search over the Pagefind index (written to <site>/pagefind/ by scripts/build.ts). The only script on the site.
// Result titles and excerpts come from archived text: they are put into the page as text nodes (and <mark>), never
// as HTML. The site root is found from this file's own URL, so it works under any path prefix.
const root = new URL("../", import.meta.url);
const input = document.getElementById("search-input");
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
  const pagefind = await import(new URL("pagefind/pagefind.js", root).href);
  await pagefind.options({ baseUrl: root.pathname, excerptLength: 30 });
  await pagefind.init();

  let latest = 0;
  async function run(query) {
    const ticket = ++latest;
    const url = new URL(location.href);
    if (query) url.searchParams.set("q", query);
    else url.searchParams.delete("q");
    history.replaceState(null, "", url);
    if (!query.trim()) {
      list.replaceChildren();
      status.textContent = "Type a word to search titles and article text.";
      return;
    }
    const search = await pagefind.search(query);
    const data = await Promise.all(search.results.slice(0, MAX_RESULTS).map((result) => result.data()));
    if (ticket !== latest) return; // a newer query has started: drop this one
    list.replaceChildren(...data.map(resultItem));
    const count = search.results.length;
    status.textContent = count === 0 ? `No results for “${query}”.` : `${count} result${count === 1 ? "" : "s"} for “${query}”${count > MAX_RESULTS ? `, showing the first ${MAX_RESULTS}` : ""}.`;
  }

  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(input.value), 150);
  });
  input.disabled = false;
  const initial = new URLSearchParams(location.search).get("q") ?? "";
  input.value = initial;
  await run(initial);
  if (!initial) input.focus();
}

main().catch((error) => {
  status.textContent = "Search could not start. Browse the latest captures instead.";
  console.error(error);
});
