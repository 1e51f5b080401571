import { readdirSync, readFileSync } from "node:fs";
import { COMMAND_NAMES } from "../../../src/domain/config/schema.js";
import { commands } from "../../../src/use-cases/slash-commands/command-list.js";
import { renderHelpTable } from "../../../src/use-cases/slash-commands/help.js";
import { features } from "../../../src/use-cases/all-features.js";

/** Renovate-style: one test loads every registered command and fails when one is missing a part. */
const dir = new URL("./", import.meta.url);
/** Tests in this folder that are not about one command (they mention commands without sending them to the app). */
const NOT_COMMAND_TESTS = ["registry.test.ts", "parse-commands.test.ts"];
const testText = readdirSync(dir)
  .filter((f) => f.endsWith(".test.ts") && !NOT_COMMAND_TESTS.includes(f))
  .map((f) => readFileSync(new URL(f, dir), "utf8"))
  .join("\n");

describe("the command registry", () => {
  it.each(commands.map((c) => [c.name, c] as const))(
    "%s has usage, help, a minimum role, examples and a test",
    (name, c) => {
      expect(c.usage.startsWith(`/triage ${name}`)).toBe(true);
      expect(c.help.length).toBeGreaterThan(10);
      expect(["anyone", "read", "triage", "write", "maintain", "admin"]).toContain(c.minRole);
      expect(c.examples.length).toBeGreaterThan(0);
      for (const e of c.examples) expect(e.startsWith(`/triage ${name}`)).toBe(true);
      // A test runs this command (the table of commands.test.ts).
      expect(testText).toMatch(new RegExp(`["\`]/triage ${name}\\b`));
    },
  );

  it("lists each command once, and the config's `roles:` keys are exactly the commands", () => {
    const names = commands.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...COMMAND_NAMES].sort());
  });

  it("has the default roles the product promises", () => {
    expect(Object.fromEntries(commands.map((c) => [c.name, c.minRole]))).toEqual({
      help: "anyone",
      recheck: "triage",
      plan: "triage",
      apply: "write",
      close: "write",
      reopen: "write",
      approve: "write",
      reject: "write",
      watch: "triage",
      unwatch: "triage",
    });
  });

  it("every feature has help", () => {
    for (const f of features) expect(f.help.length).toBeGreaterThan(10);
  });

  it("the command table of docs/commands.md is the one /triage help generates (`npm run docs` writes it)", () => {
    const page = readFileSync(new URL("../../../docs/commands.md", import.meta.url), "utf8");
    expect(page).toContain(renderHelpTable(commands));
  });
});
