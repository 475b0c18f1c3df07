/** `npm run archive`: see src/cli/archive.ts. Exit codes: 0 all captured or cached, 1 some failed, 2 usage. */
import "../src/cli/require-node.ts";
import { archiveCommand } from "../src/cli/archive.ts";
import { isMain, runMain } from "../src/cli/run.ts";

export { archiveCommand as main };

if (isMain(import.meta.url)) runMain("archive", archiveCommand, { unexpectedExitCode: 2 });
