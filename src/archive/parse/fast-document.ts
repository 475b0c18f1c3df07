/** The jsdom Document as Readability sees it, without jsdom's named-property walks. */

/**
 * The document as Readability sees it: its standard members without jsdom's named-property lookup. A jsdom Document
 * is a Proxy that answers `document.x` with an <img>, <form>, <iframe>, <embed> or <object> named x, as the spec asks;
 * to know whether one exists it walks the whole tree again after every insertion or removal of such an element. Every
 * `doc.createElement` and `doc.body` in Readability's loop, which moves images around, paid that walk. Members are looked up on the Document prototype chain and read against the real document; a name
 * that is not a standard member goes through as before. (So a page that names a form "title" or "body" no longer
 * hides the real one from Readability and readPageMetadata: through the proxy, that page failed to parse.)
 */
export function withoutNamedProperties(document: Document): Document {
  const members = new Map<string | symbol, PropertyDescriptor | null>();
  const describe = (property: string | symbol): PropertyDescriptor | null => {
    let found = members.get(property);
    if (found !== undefined) return found;
    found = null;
    for (let proto = Object.getPrototypeOf(document); proto; proto = Object.getPrototypeOf(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, property);
      if (descriptor) {
        found = descriptor;
        break;
      }
    }
    members.set(property, found);
    return found;
  };
  // The proxy's own target is an empty object, not the document: the engine checks every answer of a `get` trap
  // against its target's own property, and asking the document that is the very lookup this avoids.
  return new Proxy(Object.create(null) as Document, {
    get(_, property) {
      const descriptor = typeof property === "string" ? describe(property) : null;
      if (!descriptor) return Reflect.get(document, property);
      if (descriptor.get) return descriptor.get.call(document);
      return typeof descriptor.value === "function" ? descriptor.value.bind(document) : descriptor.value;
    },
    has: (_, property) => Reflect.has(document, property),
  });
}

