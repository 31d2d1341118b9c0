// Copies third-party browser files from node_modules into static/build/ so that
// they are served by us (whitenoise), never from a CDN and never committed.
import { copyFileSync, mkdirSync } from "node:fs";

// static/src/app.js is ours; it is copied alongside so every script is served from one place.
const files = [
  ["node_modules/htmx.org/dist/htmx.min.js", "static/build/htmx.min.js"],
  ["static/src/app.js", "static/build/app.js"],
];
mkdirSync("static/build", { recursive: true });
for (const [from, to] of files) {
  copyFileSync(from, to);
  console.log(`copied ${from} -> ${to}`);
}
