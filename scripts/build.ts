/** `npm run build`: see src/cli/build.ts. */
import "../src/cli/require-node.ts";
import { isMain, runMain } from "../src/cli/run.ts";
import { buildCommand } from "../src/cli/build.ts";

export { buildCommand as main };

if (isMain(import.meta.url)) runMain("build", buildCommand);
