// Writes a gzip twin (name.gz) of every built asset; the server sends it to browsers that
// accept gzip.  Run by `npm run build` after Vite.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const root = new URL("../../src/deconfliction/web/static/assets/", import.meta.url).pathname;
let before = 0;
let after = 0;
for (const name of readdirSync(root)) {
  if (name.endsWith(".gz")) continue;
  const path = join(root, name);
  if (!statSync(path).isFile()) continue;
  const data = readFileSync(path);
  const zipped = gzipSync(data, { level: 9 });
  before += data.length;
  after += zipped.length;
  writeFileSync(path + ".gz", zipped);
}
console.log(`compressed assets: ${before} bytes -> ${after} bytes gzipped`);
