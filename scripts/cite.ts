/** `npm run cite -- URL…`: see src/cli/cite.ts. Exit codes: 0 all captured, 1 some not captured yet, 2 usage. */
import "../src/cli/require-node.ts";
import { citeCommand } from "../src/cli/cite.ts";
import { isMain, runMain } from "../src/cli/run.ts";

export { citeCommand as main };

if (isMain(import.meta.url)) runMain("cite", citeCommand);
