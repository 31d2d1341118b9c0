// Copies third-party browser files from node_modules into static/build/ so that
// they are served by us (whitenoise), never from a CDN and never committed, and
// joins our own behaviour (static/src/js/*.js, one concern per file) into app.js.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";

const vendor = [["node_modules/htmx.org/dist/htmx.min.js", "static/build/htmx.min.js"]];
mkdirSync("static/build", { recursive: true });
for (const [from, to] of vendor) {
  copyFileSync(from, to);
  console.log(`copied ${from} -> ${to}`);
}

// Each file is wrapped in its own strict-mode function so names never leak between them.
// The Content-Security-Policy allows no inline script or event-handler attributes, so
// every behaviour of the pages lives in these files.
const dir = "static/src/js";
const parts = readdirSync(dir)
  .filter((name) => name.endsWith(".js"))
  .sort()
  .map((name) => `// ${dir}/${name}\n(function () {\n"use strict";\n${readFileSync(`${dir}/${name}`, "utf8")}})();\n`);
writeFileSync("static/build/app.js", "// Pacetrack's own script, built from static/src/js/ by npm run build.\n" + parts.join("\n"));
console.log(`joined ${parts.length} files of ${dir} -> static/build/app.js`);
