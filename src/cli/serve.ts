/** `npm run serve`: preview the built site on this machine, under its path prefix, as GitHub Pages would serve it. */
import { existsSync } from "node:fs";
import path from "node:path";
import { normalizePathPrefix, SITE_SETTINGS } from "../site/config.ts";
import { serveSite } from "../site/serve.ts";
import { readConfigFile } from "../util/config-file.ts";
import { helpText, resolveOptions, UsageError, type CommandSpec } from "../util/options.ts";
import { processIo, type CommandIo } from "./run.ts";

export const SERVE_COMMAND: CommandSpec = {
  name: "serve",
  summary: "Serves the built site (run `npm run build` first) on this machine until Ctrl-C.",
  configFile: "site.config.json",
  options: [
    { flag: "dir", kind: "string", value: "DIR", default: "_site", help: "the built site" },
    { flag: "host", kind: "string", value: "HOST", default: "127.0.0.1", env: "HOST", help: "the address to listen on" },
    { flag: "port", kind: "integer", value: "N", default: 8080, min: 0, max: 65_535, env: "PORT", help: "the port to listen on, 0 for any free one" },
    SITE_SETTINGS.find((o) => o.flag === "path-prefix")!,
  ],
  footer: ["Exit codes: 0 stopped; 2 usage error, or nothing built yet."],
};

export async function serveCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  let values;
  try {
    // The file holds every site setting; serving needs only the path prefix.
    const { pathPrefix } = readConfigFile(path.join(io.cwd, "site.config.json")).site;
    ({ values } = resolveOptions(SERVE_COMMAND, argv, io.env, pathPrefix === undefined ? {} : { pathPrefix }));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`serve: ${error.message}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(`${helpText(SERVE_COMMAND)}\n`);
    return 0;
  }
  const root = path.resolve(io.cwd, values.dir as string);
  if (!existsSync(path.join(root, "index.html"))) {
    io.stderr.write(`serve: ${root} has not been built: run \`npm run build\` first\n`);
    return 2;
  }
  const server = await serveSite({ root, pathPrefix: normalizePathPrefix(values["path-prefix"] as string), host: values.host as string, port: values.port as number });
  io.stdout.write(`Serving ${path.relative(io.cwd, root) || root}/ at ${server.url} (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.close();
  return 0;
}
