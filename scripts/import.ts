/** `npm run import -- SOURCE…`: see src/cli/import.ts. Exit codes: 0 imported, 1 some entries unread, 2 usage. */
import "../src/cli/require-node.ts";
import { importCommand } from "../src/cli/import.ts";
import { isMain, runMain } from "../src/cli/run.ts";

export { importCommand as main };

if (isMain(import.meta.url)) runMain("import", importCommand);
