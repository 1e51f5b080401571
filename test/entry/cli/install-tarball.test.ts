import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { scenarioConfigYaml } from "../../../dev/scenario.js";

// A user's install, end to end: `npm pack` (its `prepare` script builds dist/), the tarball installed into an empty
// folder, and the installed `config-triage` bin run there. The package is packed from a copy of the sources so the
// build does not rewrite the dist/ other tests run from.
const root = fileURLToPath(new URL("../../../", import.meta.url));
const run = promisify(execFile);
const npm = (args: string[], cwd: string) =>
  run("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd,
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "config-triage-pack-"));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("npm pack ships dist/; the tarball installed into an empty folder runs --version and validate", async () => {
  const source = join(dir, "source");
  mkdirSync(source);
  for (const f of [
    "package.json",
    "tsconfig.json",
    "tsconfig.build.json",
    "src",
    "templates",
    "schema",
    "app.yml",
    "action.yml",
  ]) {
    cpSync(join(root, f), join(source, f), { recursive: true });
  }
  symlinkSync(join(root, "node_modules"), join(source, "node_modules"), "dir");
  const packed = JSON.parse((await npm(["pack", "--json", "--pack-destination", dir], source)).stdout);
  const files: string[] = packed[0].files.map((f: { path: string }) => f.path);
  expect(files).toEqual(
    expect.arrayContaining([
      "dist/entry/cli/main.js",
      "dist/entry/server/main.js",
      "templates/immediate-fix.md",
      "package.json",
    ]),
  );
  expect(files.filter((f) => f.startsWith("src/") || f.startsWith("test/"))).toEqual([]);

  // The registry is reachable but the cache is warm: prefer it, as an offline machine with a warm cache would.
  const app = join(dir, "app");
  mkdirSync(app);
  await npm(["install", "--prefer-offline", join(dir, packed[0].filename)], app);
  const bin = join(app, "node_modules/.bin/config-triage");
  const version = await run(bin, ["--version"], { cwd: app });
  expect(version.stdout).toBe(`${packed[0].version}\n`);

  mkdirSync(join(app, ".github"));
  writeFileSync(join(app, ".github/config-triage.yml"), scenarioConfigYaml);
  const validated = await run(bin, ["validate"], { cwd: app });
  expect(validated.stdout).toBe(".github/config-triage.yml and 4 templates are valid\n");
  const broken = await run(bin, ["validate", "--config", "missing.yml"], { cwd: app }).catch((e) => e);
  expect(broken.code).toBe(2);
  expect(broken.stderr).toMatch(/^config-triage: missing\.yml: no such file/);
}, 300_000);
