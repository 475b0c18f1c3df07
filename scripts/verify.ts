/** `npm run verify`: see src/cli/verify.ts. */
import "../src/cli/require-node.ts";
import { isMain, runMain } from "../src/cli/run.ts";
import { verifyCommand } from "../src/cli/verify.ts";

export { verifyCommand as main };

if (isMain(import.meta.url)) runMain("verify", verifyCommand);
