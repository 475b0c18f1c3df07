// html-encoding-sniffer (jsdom's WHATWG encoding sniffer) ships no types; this covers the options decode.ts uses.
declare module "html-encoding-sniffer" {
  interface SniffOptions {
    xml?: boolean;
    /** The charset label from the transport layer (the Content-Type header): overrides everything but a BOM. */
    transportLayerEncodingLabel?: string | undefined;
    /** Returned as-is when nothing declares an encoding. */
    defaultEncoding?: string;
    /** How many bytes the <meta> prescan looks at (default 1024). */
    maxPrescanBytes?: number;
  }
  /** The canonical WHATWG encoding name ("UTF-8", "windows-1252", ...), or `defaultEncoding`. */
  function sniffHtmlEncoding(bytes: Uint8Array, options?: SniffOptions): string;
  export = sniffHtmlEncoding;
}
