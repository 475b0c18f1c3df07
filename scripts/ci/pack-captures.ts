/** Run by the workflows: see src/cli/ci.ts (options) and src/ci/captures-artifact.ts. */
import "../../src/cli/require-node.ts";
import { packCapturesCommand } from "../../src/cli/ci.ts";
import { isMain, runMain } from "../../src/cli/run.ts";

if (isMain(import.meta.url)) runMain("pack-captures", packCapturesCommand);
