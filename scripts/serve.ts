/**
 * `npm run serve`: preview _site/ on localhost under the configured path prefix (run `npm run build` first).
 * PORT (default 8080) and HOST (default 127.0.0.1) choose where it listens; SITE_PATH_PREFIX applies as in the build.
 */
import "../src/cli/require-node.ts";
import { existsSync } from "node:fs";
import { loadSiteConfig } from "../src/site/config.ts";
import { serveSite } from "../src/site/serve.ts";

try {
  if (!existsSync("_site/index.html")) throw new Error("_site/ has not been built: run `npm run build` first");
  const site = await loadSiteConfig("site.config.json");
  const server = await serveSite({ root: "_site", pathPrefix: site.pathPrefix, host: process.env.HOST ?? "127.0.0.1", port: Number(process.env.PORT ?? 8080) });
  console.log(`Serving _site/ at ${server.url} (Ctrl-C to stop)`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 2;
}
