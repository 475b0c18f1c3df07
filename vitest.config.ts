import { defineConfig } from "vitest/config";

/**
 * One project a tier, by what its tests need: unit (pure and fast), integration (real node:http servers on 127.0.0.1,
 * worker threads, git), e2e (Eleventy, Pagefind, Chromium), acceptance (a fresh clone, the bench on a small input).
 * `npm test` runs them all, as CI does; `npm run test:unit` (and :integration, :e2e, :acceptance) runs one.
 */
const tier = (name: string) => ({ extends: true, test: { name, include: [`test/${name}/**/*.test.ts`] } });

export default defineConfig({
  test: {
    // Integration tests start real servers and real Chromium; the machines are shared and have 2 cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
    // Nothing in the suite may ask the real Internet Archive: the archiver's fallback to it is on by default, so it is
    // off for every test and every command a test spawns; the tests of the fallback turn it on against a local fake.
    env: { ARCHIVE_WAYBACK_FALLBACK: "false", IA_ACCESS_KEY: "", IA_SECRET_KEY: "" },
    projects: [tier("unit"), tier("integration"), tier("e2e"), tier("acceptance")],
  },
});
