/** `npm run check`: see src/cli/check.ts. Exit codes: 0 the check ran, 2 usage. */
import "../src/cli/require-node.ts";
import { checkCommand } from "../src/cli/check.ts";
import { isMain, runMain } from "../src/cli/run.ts";

export { checkCommand as main };

if (isMain(import.meta.url)) runMain("check", checkCommand, { unexpectedExitCode: 2 });
