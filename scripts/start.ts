/**
 * `npm start`: archive what is new in links.txt, then build the site, then say where it is and how to preview it.
 * Offline or with broken links it still finishes: failures are reported and the site builds from what is cached.
 * Exit codes: 0 the site was built (link failures are reported, not fatal here); 1 the build failed; 2 usage or
 * configuration error.
 */
import "../src/cli/require-node.ts";
import { main as archive } from "./archive.ts";
import { resolveConfig } from "../src/archive/config.ts";
import { main as build } from "./build.ts";
import { isMain } from "../src/cli/is-main.ts";

export async function start(argv: string[]): Promise<number> {
  const archived = await archive(argv);
  if (archived === 2 || argv.includes("--help")) return archived;
  // Build from the cache the archive step wrote to (it parsed the same flags without error just now).
  const { config } = resolveConfig(argv);
  const built = await build({ cacheDir: config.cacheDir });
  if (built.code !== 0) return built.code;
  const prefix = built.site?.pathPrefix ?? "/";
  process.stdout.write(
    [
      "",
      `The site is in _site/${archived === 1 ? " (some links failed: see above; the next run retries them)" : ""}.`,
      `Preview it with:  npm run serve   (then open http://127.0.0.1:8080${prefix})`,
      "Publish it by pushing to GitHub: the Pages workflow archives, commits the captures and deploys (see README).",
      "",
    ].join("\n"),
  );
  return 0;
}

if (isMain(import.meta.url)) process.exitCode = await start(process.argv.slice(2));
