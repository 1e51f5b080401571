import { describe, expect, it } from "@jest/globals";
import { ConfigSchema } from "../../../src/domain/config/schema.js";
import { validateFiles } from "../../../src/use-cases/validate-files.js";
import { checkDependencies, templateLinks } from "../../../src/domain/follow-up-plan/check-dependencies.js";
import { loadBuiltInTemplates } from "../../../src/rendering/templates.js";
import { parseTemplate, type Template } from "../../../src/domain/config/follow-up-template.js";

const BUILT_IN = loadBuiltInTemplates();
const ENV = { staging: { project: "p", region: "r", services: ["api"] } };
const config = (follow_ups: string[]) => ConfigSchema.parse({ environments: ENV, follow_ups });

function template(name: string, front: string): Template {
  const parsed = parseTemplate(
    name,
    `.github/config-triage/${name}.md`,
    `---\ntitle: "${name} of #{{parent.number}}"\n${front}---\nBody of #{{parent.number}}.\n`,
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.value;
}

const withRepo = (...repo: Template[]) => new Map([...BUILT_IN, ...repo.map((t) => [t.name, t] as const)]);

describe("checkDependencies", () => {
  it("accepts the built-in templates: the documentation waits for the consolidation", () => {
    const all = config(["immediate-fix", "ssot-consolidation", "flow-documentation", "health-monitoring"]);
    expect(checkDependencies(all, BUILT_IN)).toEqual([]);
    expect(templateLinks(all, BUILT_IN)).toEqual([{ blocked: "flow-documentation", blocking: "ssot-consolidation" }]);
  });

  it.each([
    [
      "an unknown template, with the closest name",
      ["immediate-fix", "runbook"],
      [template("runbook", "blocked_by:\n  - immediate-fix\n  - imediate-fix\n")],
      [
        {
          file: ".github/config-triage/runbook.md",
          line: 5,
          path: "",
          message: "`blocked_by` names `imediate-fix`, which is no template: did you mean `immediate-fix`?",
        },
      ],
    ],
    [
      "a template the config does not enable",
      ["runbook"],
      [template("runbook", "blocked_by: [health-monitoring]\n")],
      [
        {
          file: ".github/config-triage/runbook.md",
          line: 3,
          path: "",
          message:
            "`blocked_by` names `health-monitoring`, which `.github/config-triage.yml` does not enable: add " +
            "`health-monitoring` to `follow_ups`, or remove it from `blocked_by`",
        },
      ],
    ],
    [
      "a cycle",
      ["a", "b", "c"],
      [template("a", "blocked_by: [b]\n"), template("b", "blocked_by: [c]\n"), template("c", "blocked_by: [a]\n")],
      [
        {
          file: ".github/config-triage/a.md",
          line: 3,
          path: "",
          message:
            "`blocked_by` makes a cycle (`a` → `b` → `c` → `a`): a follow-up cannot wait for itself; remove one of " +
            "these links",
        },
      ],
    ],
    [
      "a template that waits for itself",
      ["a"],
      [template("a", "labels: [x]\nblocked_by: [a]\n")],
      [
        {
          file: ".github/config-triage/a.md",
          line: 4,
          path: "",
          message:
            "`blocked_by` makes a cycle (`a` → `a`): a follow-up cannot wait for itself; remove one of these links",
        },
      ],
    ],
  ])("%s", (_name, follow, repo, problems) => {
    expect(checkDependencies(config(follow), withRepo(...repo))).toEqual(problems);
  });

  it("drops a built-in template's link to a template the config leaves out (the repository chose so)", () => {
    const some = config(["immediate-fix", "flow-documentation"]);
    expect(checkDependencies(some, BUILT_IN)).toEqual([]);
    expect(templateLinks(some, BUILT_IN)).toEqual([]);
  });

  it("does not check a template the config does not enable", () => {
    expect(
      checkDependencies(config(["immediate-fix"]), withRepo(template("runbook", "blocked_by: [nothing-here]\n"))),
    ).toEqual([]);
  });
});

describe("config-triage validate and the pull-request check (validateFiles)", () => {
  it("report a blocked_by naming an unknown template with the template's file and line", () => {
    const problems = validateFiles({
      config: {
        file: ".github/config-triage.yml",
        text:
          "environments:\n  staging: { project: p, region: r, services: [api] }\nfollow_ups: " +
          "[immediate-fix, runbook]\n",
      },
      repoTemplates: [
        {
          file: ".github/config-triage/runbook.md",
          text: "---\ntitle: Runbook\nblocked_by: [immediate-fixx]\n---\nBody of #{{parent.number}}\n",
        },
      ],
      builtInTemplates: BUILT_IN,
    });
    expect(problems).toEqual([
      {
        file: ".github/config-triage/runbook.md",
        line: 3,
        path: "",
        message: "`blocked_by` names `immediate-fixx`, which is no template: did you mean `immediate-fix`?",
      },
    ]);
  });
});
