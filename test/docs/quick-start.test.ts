import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const read = (file: string) => readFileSync(join(root, file), "utf8");
const pages = ["README.md", ...readdirSync(join(root, "docs")).map((f) => `docs/${f}`)];
const scripts: Record<string, string> = JSON.parse(read("package.json")).scripts;

test("the Quick start's commands are the project's: npm run demo, .ci/run, npm start", () => {
  const quickStart = read("README.md").split("## Quick start")[1].split("\n## ")[0];
  expect(quickStart).toContain("npm ci && npm run demo");
  expect(quickStart).toContain("bash .ci/run");
  expect(scripts.demo).toBe("tsx scripts/demo.ts");
  expect(read(".ci/run")).toMatch(/^npm test\b/m);
  expect(read("README.md")).toContain("npm start    # builds, reads .env");
  expect(scripts.prestart).toBe("npm run build");
});

test("every `npm run X` the README and docs/ name is a script of package.json", () => {
  const named = new Set(pages.flatMap((page) => [...read(page).matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1])));
  expect([...named].filter((name) => !(name in scripts))).toEqual([]);
  expect(named).toContain("docs");
});

test("the modules `npm run demo` imports load outside jest (no test-only hook in them)", () => {
  const demo = read("scripts/demo.ts");
  const modules = [...demo.matchAll(/^import [^;]*? from "(\.[^"]+)";/gm)].map((m) =>
    join(root, "scripts", m[1].replace(/\.js$/, ".ts")),
  );
  expect(modules.length).toBeGreaterThan(3);
  const load = modules.map((m) => `await import(${JSON.stringify(m)});`).join(" ");
  const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", load], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
});
