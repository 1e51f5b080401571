/**
 * `npm run lint` (after Biome): fails on any line longer than 120 columns in the code of src/, test/, dev/, scripts/
 * and bench/. Biome formats to 120 but leaves long strings and comments as they are; this catches those.
 * Snapshots (`__snapshots__`) hold what users see and are left alone, as is Markdown.
 */
import { type Dirent, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const MAX_COLUMNS = 120;
export const CHECKED_FOLDERS = ["src", "test", "dev", "scripts", "bench"];
const CODE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const SKIPPED = new Set(["node_modules", "__snapshots__", "dist"]);

export interface LongLine {
  file: string;
  line: number;
  columns: number;
}

/** The lines of `text` longer than `max` columns (counted in characters, not bytes or UTF-16 units). */
export function longLines(file: string, text: string, max = MAX_COLUMNS): LongLine[] {
  return text.split(/\r?\n/).flatMap((content, i) => {
    const columns = [...content].length;
    return columns > max ? [{ file, line: i + 1, columns }] : [];
  });
}

/** The code files under `folders` of `root`, relative to it, sorted (folders that do not exist are skipped). */
export function codeFiles(root: string, folders = CHECKED_FOLDERS): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name)) walk(path);
      } else if (CODE.test(entry.name)) {
        found.push(relative(root, path));
      }
    }
  };
  for (const folder of folders) walk(join(root, folder));
  return found;
}

/** Every long line in the code files under `folders` of `root`. */
export function findLongLines(root: string, folders = CHECKED_FOLDERS, max = MAX_COLUMNS): LongLine[] {
  return codeFiles(root, folders).flatMap((file) => longLines(file, readFileSync(join(root, file), "utf8"), max));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(fileURLToPath(import.meta.url), "../..");
  const found = findLongLines(root);
  for (const l of found) console.error(`${l.file}:${l.line}: ${l.columns} columns (at most ${MAX_COLUMNS})`);
  if (found.length) {
    console.error(`${found.length} line(s) over ${MAX_COLUMNS} columns: break long strings and comments by hand.`);
    process.exit(1);
  }
}
