/**
 * site.config.json, the one config file of an archive: the site's settings at the top level (title, url, ...) and
 * the archive command's under "archive" and the link watch's under "check" (keys are their flag names). Read once by each command and handed to the
 * options tables as their file layer. A missing file is no settings; an unreadable one is a UsageError naming it.
 */
import { readFileSync } from "node:fs";
import { UsageError } from "./options.ts";

export const CONFIG_FILE = "site.config.json";

export interface ConfigFile {
  /** Top-level keys except the command sections: the site's settings. */
  site: Record<string, unknown>;
  /** The "archive" section. */
  archive: Record<string, unknown>;
  /** The "check" section (npm run check). */
  check: Record<string, unknown>;
}

export function readConfigFile(file = CONFIG_FILE): ConfigFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { site: {}, archive: {}, check: {} };
    throw new UsageError(`Could not read ${file}: ${(error as Error).message}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new UsageError(`${file} must hold one JSON object`);
  const { archive = {}, check = {}, ...site } = value as Record<string, unknown>;
  for (const [name, section] of Object.entries({ archive, check })) {
    if (typeof section !== "object" || section === null || Array.isArray(section)) {
      throw new UsageError(`${file}: "${name}" must be an object of ${name} settings, e.g. { "per-host": 3 }`);
    }
  }
  return { site, archive: archive as Record<string, unknown>, check: check as Record<string, unknown> };
}
