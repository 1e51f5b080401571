import { describe, expect, it } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * One of each thing (issue 12): each rule names the one module allowed to do a job and fails when code elsewhere in
 * `src/` does it again. Comments are left out of the search (a comment may name what it does not do).
 */
const SRC = new URL("../../src/", import.meta.url).pathname;

function sources(dir = SRC): Array<{ file: string; code: string }> {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    if (!entry.name.endsWith(".ts")) return [];
    const code = readFileSync(path, "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    return [{ file: relative(SRC, path), code }];
  });
}

/** The files of `src/` (relative) that match `pattern`, but for the ones allowed to. */
function othersMatching(pattern: RegExp, ...owners: string[]): string[] {
  return sources()
    .filter((s) => !owners.includes(s.file) && pattern.test(s.code))
    .map((s) => s.file);
}

describe("one of each", () => {
  it("writes and reads the hidden markers in one module", () => {
    expect(
      othersMatching(
        /<!-- \/?config-triage|config-triage-unverified|config-triage:(diagnosis|follow-up|notice|end)/,
        "domain/issue-state/markers.ts",
      ),
    ).toEqual([]);
  });

  it("checks roles in one place: the role check, over the one call of GitHub's permission API", () => {
    expect(othersMatching(/\b(fetchRole|meetsRole|resolveRole)\(/, "domain/roles/resolve-role.ts")).toEqual([]);
    expect(
      othersMatching(/getCollaboratorPermissionLevel|\/collaborators\/\{/, "adapters/github/command-github.ts"),
    ).toEqual([]);
  });

  it("orders each issue's events in one place: the event queue", () => {
    const outside = sources().filter((s) => !s.file.startsWith("adapters/queue/"));
    const chains = outside.filter((s) => /SerialQueue|serial-queue|\borderingKey\(|\.then\(job, job\)/.test(s.code));
    expect(chains.map((s) => s.file)).toEqual([]);
  });

  it("reads the config through one source, which alone follows `_extends`, over one file reader", () => {
    expect(othersMatching(/\bcontext\.config\(|octokit\.config\.|\bconfig\.get\(/)).toEqual([]);
    // Reading `_extends` out of a config (messages and the JSON Schema may name it).
    expect(othersMatching(/\._extends\b|"_extends" in|\{ _extends: _/, "use-cases/load-config.ts")).toEqual([]);
    expect(othersMatching(/repos\.getContent|\/contents\//, "adapters/github/issue-github.ts")).toEqual([]);
  });

  it("reads the environment only at the entry points: adapters, use cases and the domain receive values", () => {
    const below = sources().filter((s) => !s.file.startsWith("entry/") && /\bprocess\.env\b/.test(s.code));
    expect(below.map((s) => s.file)).toEqual([]);
  });

  it("parses the app's settings in one module (read-settings.ts); the rest receives the typed object", () => {
    const setting =
      /\benv(?:\.|\[")(?:CLOUD_RUN_|CONFIG_TRIAGE_(?!DEBUG)|REDIS_URL|METRICS_|APP_ID|SECRET_MANAGER_|GOOGLE_)/;
    const readers = sources().filter((s) => setting.test(s.code));
    expect(readers.map((s) => s.file)).toEqual(["entry/read-settings.ts"]);
  });

  it("finds the rules' modules (a moved module must be named here again)", () => {
    const files = sources().map((s) => s.file);
    const owners = [
      "domain/issue-state/markers.ts",
      "domain/roles/resolve-role.ts",
      "adapters/github/command-github.ts",
      "use-cases/load-config.ts",
      "adapters/github/issue-github.ts",
    ];
    for (const owner of owners) {
      expect(files).toContain(owner);
    }
  });
});
