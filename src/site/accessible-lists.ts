/**
 * Lists as assistive technology reads them, from the lists real pages write. Old pages indent with lists: a <ul>
 * around a quotation, a <dl> of <dd>s around a formula (Wikipedia's ":" markup), a <dl> of <dt>s for a bold line
 * (";"), a list nested straight inside another. A screen reader announces those as empty or broken lists (axe `list`,
 * `listitem`, `definition-list`, `dlitem`, all "serious"). Input: sanitized HTML (every `<` starts a tag, no `>` inside
 * one; see accessible.ts). Output: the same text with only tags changed, so that
 * - a <ul>/<ol> with no <li> of its own is an indented <div class="list-indent">;
 * - content straight inside a list that has items joins the item before it (or, before the first, a marker-less item);
 * - a <dl> without both a <dt> and a <dd> is an indented <div class="dl-indent"> of <div>s; stray content in a proper
 *   one becomes a <dd>;
 * - an <li>, <dt> or <dd> outside its list is a <div>.
 * One pass over the tags with a stack of open elements (a closing tag pops only what it closes), and one over each
 * list's direct children when it closes: linear.
 */

const VOID = new Set(["img", "br", "hr", "wbr", "col", "area", "input", "source", "track"]);
const LISTS = new Set(["ul", "ol"]);

interface Child {
  /** "li", "dt", "dd", "div" for an element the list may hold, "stray" for anything else (text or element). */
  kind: string;
  /** Output chunk of its opening tag (or first text), and of its closing tag (or last text). */
  first: number;
  last: number;
}

interface Frame {
  name: string;
  /** Output chunk of the opening tag. */
  open: number;
  /** An item outside its list, now a <div>: its closing tag becomes </div> too. */
  orphan?: boolean;
  /** Direct children, for lists only. */
  children?: Child[];
  /** The direct child element now open, for lists only. */
  current?: Child;
}

export function wellFormedLists(html: string): string {
  if (!/<(?:ul|ol|dl|li|dt|dd)[\s>]/.test(html)) return html;
  const out: string[] = [];
  const stack: Frame[] = [];
  // How many of each element are open: a closing tag that matches none is passed over without walking the stack.
  const openCount = new Map<string, number>();
  const parentList = (): Frame | undefined => {
    const top = stack.at(-1);
    return top?.children ? top : undefined;
  };

  /** Pops the frame on top, whose closing tag is chunk `close` (-1: the markup never closed it). */
  const closeTop = (close: number) => {
    const frame = stack.pop()!;
    openCount.set(frame.name, openCount.get(frame.name)! - 1);
    if (frame.children) fixList(frame, out, close);
    if (frame.orphan && close >= 0) out[close] = "</div>";
    const parent = parentList();
    if (parent?.current?.first === frame.open) {
      parent.current.last = close >= 0 ? close : out.length - 1;
      parent.children!.push(parent.current);
      parent.current = undefined;
    }
  };

  let at = 0;
  while (at < html.length) {
    const lt = html.indexOf("<", at);
    const textEnd = lt < 0 ? html.length : lt;
    if (textEnd > at) {
      const text = html.slice(at, textEnd);
      out.push(text);
      const parent = parentList();
      if (parent && text.trim() !== "") parent.children!.push({ kind: "stray", first: out.length - 1, last: out.length - 1 });
    }
    if (lt < 0) break;
    const gt = html.indexOf(">", lt);
    if (gt < 0) {
      out.push(html.slice(lt));
      break;
    }
    const tag = html.slice(lt, gt + 1);
    at = gt + 1;
    out.push(tag);
    const index = out.length - 1;
    const name = /^<\/?([a-z][a-z0-9]*)/.exec(tag)?.[1];
    if (!name) continue;

    if (tag.startsWith("</")) {
      if (!openCount.get(name)) continue;
      let depth = stack.length - 1;
      while (depth >= 0 && stack[depth]!.name !== name) depth -= 1;
      if (depth < 0) continue;
      while (stack.length > depth + 1) closeTop(-1);
      closeTop(index);
      continue;
    }

    const top = stack.at(-1);
    const parent = parentList();
    const selfClosing = VOID.has(name) || tag.endsWith("/>");
    if (parent && !parent.current) {
      const kind = allowedIn(parent.name, name) ? name : "stray";
      if (selfClosing) parent.children!.push({ kind, first: index, last: index });
      else parent.current = { kind, first: index, last: index };
    }
    if (selfClosing) continue;
    const frame: Frame = { name, open: index };
    if (isOrphan(name, top, stack.at(-2))) {
      out[index] = retag(tag, name, "div", "list-orphan");
      frame.orphan = true;
    }
    if (LISTS.has(name) || name === "dl") frame.children = [];
    stack.push(frame);
    openCount.set(name, (openCount.get(name) ?? 0) + 1);
  }
  // Whatever the markup left open is closed as it stands.
  while (stack.length) closeTop(-1);
  return out.join("");
}

/** An <li> not straight inside a <ul>/<ol>, or a <dt>/<dd> not inside a <dl> (or a <div> grouping in one). */
function isOrphan(name: string, parent: Frame | undefined, grandparent: Frame | undefined): boolean {
  if (name === "li") return !parent || !LISTS.has(parent.name);
  if (name === "dt" || name === "dd") return parent?.name !== "dl" && !(parent?.name === "div" && grandparent?.name === "dl");
  return false;
}

function allowedIn(list: string, child: string): boolean {
  return LISTS.has(list) ? child === "li" : child === "dt" || child === "dd" || child === "div";
}

/** Rewrites a list's tags in `out` once its direct children are known; `close` is the chunk of its closing tag. */
function fixList(frame: Frame, out: string[], close: number): void {
  const children = frame.children!;
  if (frame.current) children.push(frame.current);
  if (LISTS.has(frame.name)) {
    const items = children.filter((c) => c.kind === "li");
    if (items.length === 0) {
      out[frame.open] = retag(out[frame.open]!, frame.name, "div", "list-indent");
      if (close >= 0 && out[close] === `</${frame.name}>`) out[close] = "</div>";
      return;
    }
    joinStrays(children, out, "li", '<li class="list-plain">');
    return;
  }
  const kinds = new Set(children.map((c) => c.kind));
  // A <div> in a <dl> groups a <dt> with its <dd>s: such a list is taken as proper.
  if (!kinds.has("div") && (!kinds.has("dt") || !kinds.has("dd"))) {
    out[frame.open] = retag(out[frame.open]!, "dl", "div", "dl-indent");
    if (close >= 0 && out[close] === "</dl>") out[close] = "</div>";
    for (const child of children) {
      if (child.kind !== "dt" && child.kind !== "dd") continue;
      out[child.first] = retag(out[child.first]!, child.kind, "div", child.kind === "dt" ? "dl-term" : "dl-detail");
      if (out[child.last] === `</${child.kind}>`) out[child.last] = "</div>";
    }
    return;
  }
  joinStrays(children, out, "dd", "<dd>");
}

/**
 * Runs of stray children move into the item before them (its closing tag moves to after the run); a run before any
 * item is wrapped in `opener`.
 */
function joinStrays(children: Child[], out: string[], item: string, opener: string): void {
  const itemClose = `</${item}>`;
  let previous: Child | undefined;
  for (let i = 0; i < children.length; i++) {
    const child = children[i]!;
    if (child.kind !== "stray") {
      previous = child;
      continue;
    }
    let end = i;
    while (end + 1 < children.length && children[end + 1]!.kind === "stray") end += 1;
    const last = children[end]!;
    if (previous && previous.kind === item && out[previous.last] === itemClose) {
      out[previous.last] = "";
      out[last.last] += itemClose;
    } else {
      out[child.first] = opener + out[child.first];
      out[last.last] += itemClose;
    }
    i = end;
  }
}

/** `<ul lang="en">` → `<div class="list-indent" lang="en">`. */
function retag(tag: string, from: string, to: string, className: string): string {
  return `<${to} class="${className}"${tag.slice(1 + from.length, -1)}>`;
}
