/** `npx tsx scripts/ci/refresh-links.ts`, run by the workflows: see src/cli/ci.ts (options) and src/ci/refresh-links.ts. */
import "../../src/cli/require-node.ts";
import { refreshLinksCommand } from "../../src/cli/ci.ts";
import { isMain, runMain } from "../../src/cli/run.ts";

if (isMain(import.meta.url)) runMain("refresh-links", refreshLinksCommand);
