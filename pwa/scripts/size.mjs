// Budget check: gzip size of what the first load fetches (index.html's script and CSS and
// their static imports). Lazy chunks (the agreement screen) do not count. Run after build.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const BUDGET = 120 * 1024;
const dist = new URL("../dist/", import.meta.url);
const html = readFileSync(new URL("index.html", dist), "utf8");
const entry = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);

const seen = new Set();
const queue = [...entry];
while (queue.length) {
  const file = queue.shift();
  if (seen.has(file)) continue;
  seen.add(file);
  if (!file.endsWith(".js")) continue;
  const code = readFileSync(new URL(file, dist), "utf8");
  // Static imports only: `import ... from "./x.js"` (dynamic import() is a lazy chunk).
  for (const m of code.matchAll(/(?:^|[;\n}])\s*import\s*(?:[\w*{}\s,$]+from\s*)?["']\.\/([^"']+)["']/g)) {
    queue.push(`assets/${m[1]}`);
  }
}
let total = 0;
for (const file of seen) {
  const size = gzipSync(readFileSync(new URL(file, dist))).length;
  total += size;
  console.log(`${(size / 1024).toFixed(1).padStart(7)} KB  ${file}`);
}
console.log(`${(total / 1024).toFixed(1).padStart(7)} KB  first load, gzip (budget ${BUDGET / 1024} KB)`);
if (total > BUDGET) {
  console.error("over budget");
  process.exit(1);
}
