/**
 * CSV as RFC 4180 writes it and spreadsheet exports bend it: quoted fields with "" for a quote, commas and line breaks
 * inside quotes, CRLF or LF, a byte order mark, a last line with or without its break. Input: text; output: rows of
 * fields, each with the 1-based line it starts on (a quoted field may span lines). One pass, linear in the text; a
 * field longer than maxField characters or an unclosed quote is an error naming its line.
 */
export interface CsvRow {
  line: number;
  fields: string[];
}

export class CsvError extends Error {
  override name = "CsvError";
  readonly line: number;
  constructor(line: number, message: string) {
    super(message);
    this.line = line;
  }
}

export function parseCsv(text: string, { maxField = 1_000_000 } = {}): CsvRow[] {
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let rowLine = 1;
  let quoted = false;
  let quoteLine = 0;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endField = () => {
    fields.push(field);
    field = "";
  };
  const endRow = () => {
    endField();
    // A blank line is no row (a trailing one, or spacing a tool added).
    if (!(fields.length === 1 && fields[0] === "")) rows.push({ line: rowLine, fields });
    fields = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      if (c === "\n") line++;
      else if (c === "\r" && text[i + 1] !== "\n") line++;
      field += c;
      i++;
    } else if (c === '"' && field === "") {
      quoted = true;
      quoteLine = line;
      i++;
    } else if (c === ",") {
      endField();
      i++;
    } else if (c === "\r" || c === "\n") {
      endRow();
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line++;
      rowLine = line;
    } else {
      // A quote inside an unquoted field is kept as written, as spreadsheets read it.
      field += c;
      i++;
    }
    if (field.length > maxField) throw new CsvError(rowLine, `a field is longer than ${maxField} characters`);
  }
  if (quoted) throw new CsvError(quoteLine, "a quoted field is never closed (a \" is missing)");
  if (field !== "" || fields.length > 0) endRow();
  return rows;
}

/** The index of each column by its header name, lower-cased and trimmed. */
export function columnsOf(header: CsvRow): Map<string, number> {
  return new Map(header.fields.map((name, index) => [name.trim().toLowerCase(), index]));
}

/** The header line's column names, for detection: lower-cased, trimmed. */
export function headerNames(text: string): string[] {
  const first = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/, 1)[0] ?? "";
  return first.split(",").map((name) => name.replace(/^\s*"|"\s*$/g, "").trim().toLowerCase());
}
