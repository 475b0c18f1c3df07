/** Small helpers the format readers share: reading untrusted JSON values, splitting tag lists, collecting entries within the run's budget. Pure. */
import type { ImportEntry, ParseContext, ParseResult } from "../types.ts";

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** The first object of a JSON list, to recognise an export by its fields. */
export const firstRecord = (json: unknown): Json | undefined => (Array.isArray(json) ? json.find(isObject) : undefined);

/** A string field, trimmed; undefined when absent, empty or not a string. */
export function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** "a, b|c" split on the given separators, trimmed, empties dropped. */
export function splitList(value: unknown, separator: RegExp): string[] {
  return typeof value === "string" ? value.split(separator).map((part) => part.trim()).filter(Boolean) : [];
}

/** Tags given as strings or as objects with a name or label ({ "name": "go" }, { "label": "go" }). */
export function tagNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((tag) => (isObject(tag) ? (text(tag.name) ?? text(tag.label) ?? text(tag.slug)) : text(tag))).filter((tag): tag is string => tag !== undefined);
}

/** Collects entries within the run's budget; the first entry over it is reported once by the caller (run.ts). */
export class Collector {
  readonly result: ParseResult = { entries: [], problems: [] };
  private readonly context: ParseContext;
  constructor(context: ParseContext) {
    this.context = context;
  }
  add(entry: ImportEntry): boolean {
    if (!this.context.entries.take()) return false;
    this.result.entries.push(entry);
    return true;
  }
  problem(where: string, reason: string): void {
    // Problems are bounded by entries: a file of a million bad lines is reported as its first thousand.
    if (this.result.problems.length < 1000) this.result.problems.push({ where, reason });
  }
  get full(): boolean {
    return this.context.entries.exhausted;
  }
}

/** Reads a JSON list of records with one function, naming each bad record "<file> entry N" (1-based). */
export function eachRecord(list: unknown[], name: string, collector: Collector, read: (record: Json, where: string) => ImportEntry | string | undefined): ParseResult {
  for (let i = 0; i < list.length && !collector.full; i++) {
    const where = `${name} entry ${i + 1}`;
    const record = list[i];
    if (!isObject(record)) {
      collector.problem(where, "is not an object");
      continue;
    }
    const entry = read(record, where);
    if (typeof entry === "string") collector.problem(where, entry);
    else if (entry) collector.add(entry);
  }
  return collector.result;
}
