/** `npx tsx scripts/ci/commit-message.ts`, run by the workflows: see src/cli/ci.ts (options) and src/ci/commit-message.ts. */
import "../../src/cli/require-node.ts";
import { commitMessageCommand } from "../../src/cli/ci.ts";
import { isMain, runMain } from "../../src/cli/run.ts";

if (isMain(import.meta.url)) runMain("commit-message", commitMessageCommand);
