/** `npm start`: see src/cli/start.ts. */
import "../src/cli/require-node.ts";
import { isMain, runMain } from "../src/cli/run.ts";
import { startCommand } from "../src/cli/start.ts";

export { startCommand as main };

if (isMain(import.meta.url)) runMain("start", startCommand);
