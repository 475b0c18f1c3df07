/** `npm run serve`: see src/cli/serve.ts. */
import "../src/cli/require-node.ts";
import { isMain, runMain } from "../src/cli/run.ts";
import { serveCommand } from "../src/cli/serve.ts";

export { serveCommand as main };

if (isMain(import.meta.url)) runMain("serve", serveCommand);
