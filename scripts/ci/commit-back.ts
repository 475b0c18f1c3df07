/** `npx tsx scripts/ci/commit-back.ts`, run by the workflows: see src/cli/ci.ts (options) and src/ci/commit-back.ts. */
import "../../src/cli/require-node.ts";
import { commitBackCommand } from "../../src/cli/ci.ts";
import { isMain, runMain } from "../../src/cli/run.ts";

if (isMain(import.meta.url)) runMain("commit-back", commitBackCommand);
