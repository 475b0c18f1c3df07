/** `npm run demo`: the tour that needs no internet; see src/cli/demo.ts. */
import "../src/cli/require-node.ts";
import { isMain, runMain } from "../src/cli/run.ts";
import { demoCommand } from "../src/cli/demo.ts";

export { demoCommand as main };

if (isMain(import.meta.url)) runMain("demo", demoCommand);
