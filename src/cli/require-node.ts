/**
 * Imported first by every command: a clear message instead of a crash deep inside undici or jsdom when a script is
 * run directly with an old Node (npm scripts use the pinned node@24 devDependency, which puts Node 24 first on PATH).
 */
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `This project needs Node.js 22.12 or newer; this is ${process.version}.\n` +
      "Run it through npm (npm run archive, npm run build, npm start), which uses the Node 24 that `npm install` put in node_modules,\n" +
      "or run `npx tsx <script>` so node_modules/.bin/node comes first on PATH.\n",
  );
  process.exit(2);
}
export {};
