/**
 * Runs the archive CLI in this process and then reports its peak memory on stderr, so a test that spawns it can
 * assert the bound a user relies on (peak RSS) as behaviour rather than as a timing.
 */
import { main } from "../../scripts/archive.ts";

const code = await main(process.argv.slice(2));
process.stderr.write(`\n__MAX_RSS_BYTES__=${process.resourceUsage().maxRSS * 1024}\n`);
process.exitCode = code;
