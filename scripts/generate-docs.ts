/** `npm run docs`: rewrites the generated sections of docs/ (a test fails when a committed page is stale). */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderGeneratedPages } from "./render-docs.js";

const inRepo = (page: string) => fileURLToPath(new URL(`../${page}`, import.meta.url));
for (const [page, text] of renderGeneratedPages((page) => readFileSync(inRepo(page), "utf8"))) {
  const changed = readFileSync(inRepo(page), "utf8") !== text;
  if (changed) writeFileSync(inRepo(page), text);
  console.log(`${changed ? "wrote" : "up to date:"} ${page}`);
}
