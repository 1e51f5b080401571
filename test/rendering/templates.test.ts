import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "@jest/globals";
import type { ConfigProblem } from "../../src/domain/config/parse-config.js";
import { loadBuiltInTemplates, renderTemplate } from "../../src/rendering/templates.js";
import { parseTemplate, type Template } from "../../src/domain/config/follow-up-template.js";

const FILE = ".github/config-triage/runbook.md";

function parsed(text: string): Template {
  const result = parseTemplate("runbook", FILE, text);
  if (!result.ok) throw new Error(`template does not parse: ${JSON.stringify(result.problems)}`);
  return result.value;
}

describe("parseTemplate", () => {
  it("splits the front matter from the body and applies defaults", () => {
    const template = parsed(`---
title: "Runbook for {{join missing ', '}}"
labels: [config-triage, docs]
---
Write a runbook for #{{parent.number}}.
`);
    expect(template).toEqual({
      name: "runbook",
      file: FILE,
      title: "Runbook for {{join missing ', '}}",
      labels: ["config-triage", "docs"],
      assignees: [],
      when: "always",
      blockedBy: [],
      closesWhenFixed: false,
      body: "Write a runbook for #{{parent.number}}.\n",
      bodyLine: 5,
      titleLine: 2,
      labelsLine: 3,
      blockedByLines: [],
    });
  });

  it.each([
    ["a repository's own template, unmarked", "runbook", "", false],
    ["a repository's own template marked closes_when_fixed", "runbook", "closes_when_fixed: true\n", true],
    ["an override of immediate-fix, unmarked (it carries the fix by its name)", "immediate-fix", "", true],
    ["an override of immediate-fix that opts out", "immediate-fix", "closes_when_fixed: false\n", false],
  ])("closes_when_fixed: %s", (_name, name, line, expected) => {
    const result = parseTemplate(name, FILE, `---\ntitle: Fix\n${line}---\nbody\n`);
    expect(result.ok && result.value.closesWhenFixed).toBe(expected);
  });

  it("closes_when_fixed must be true or false", () => {
    const result = parseTemplate("runbook", FILE, "---\ntitle: Fix\ncloses_when_fixed: yes please\n---\nbody\n");
    expect(result).toEqual({
      ok: false,
      problems: [{ file: FILE, line: 3, path: "", message: "front matter `closes_when_fixed` must be boolean" }],
    });
  });

  it("reads blocked_by (with each entry's line), milestone and type", () => {
    const template = parsed(
      "---\ntitle: Runbook\nblocked_by:\n  - immediate-fix\n  - ssot-consolidation\nmilestone: next+1\ntype: " +
        "Task\n---\nbody\n",
    );
    expect(template).toMatchObject({
      blockedBy: ["immediate-fix", "ssot-consolidation"],
      blockedByLines: [4, 5],
      milestone: "next+1",
      type: "Task",
    });
  });

  it.each<{ name: string; text: string; problem: ConfigProblem }>([
    {
      name: "a blocked_by entry that is not a template name",
      text: "---\ntitle: Runbook\nblocked_by: [Immediate-Fix.md]\n---\nbody\n",
      problem: {
        file: FILE,
        line: 3,
        path: "",
        message:
          "front matter `blocked_by` must be a template name: lower-case letters, digits and dashes, without .md",
      },
    },
    {
      name: "a milestone that is not text",
      text: "---\ntitle: Runbook\nmilestone: [next]\n---\nbody\n",
      problem: { file: FILE, line: 3, path: "", message: "front matter `milestone` must be a string" },
    },
    {
      name: "no front matter",
      text: "# Runbook\n\nWrite a runbook.\n",
      problem: {
        file: FILE,
        line: 1,
        path: "",
        message: "a template starts with YAML front matter between `---` lines, with at least a `title:`",
      },
    },
    {
      name: "front matter that is never closed",
      text: "---\ntitle: Runbook\n\nWrite a runbook.\n",
      problem: {
        file: FILE,
        line: 1,
        path: "",
        message: "a template starts with YAML front matter between `---` lines, with at least a `title:`",
      },
    },
    {
      name: "bad YAML: unclosed list (reported where the parser stops, the line after)",
      text: "---\ntitle: Runbook\nlabels: [config-triage\n---\nbody\n",
      problem: {
        file: FILE,
        line: 3,
        path: "",
        message:
          "the front matter does not parse: Flow sequence in block collection must be sufficiently indented and end " +
          "with a ]",
      },
    },
    {
      name: "bad YAML: a mention is not a plain YAML value",
      text: "---\ntitle: Runbook\nlabels: [config-triage]\nassignees: [@octocat]\n---\nbody\n",
      problem: {
        file: FILE,
        line: 4,
        path: "",
        message: "the front matter does not parse: Plain value cannot start with reserved character @",
      },
    },
    {
      name: "unknown front-matter key",
      text: "---\ntitle: Runbook\nlabels: [config-triage]\nassignee: octocat\n---\nbody\n",
      problem: {
        file: FILE,
        line: 4,
        path: "",
        message: "unknown front matter key `assignee`: did you mean `assignees`?",
      },
    },
    {
      name: "missing title",
      text: "---\nlabels: [config-triage]\nwhen: failing\n---\nbody\n",
      problem: { file: FILE, line: 2, path: "", message: "front matter `title` is required" },
    },
    {
      name: "bad when",
      text: "---\ntitle: Runbook\nwhen: sometimes\n---\nbody\n",
      problem: { file: FILE, line: 3, path: "", message: "front matter `when` must be one of `always`, `failing`" },
    },
    {
      name: "a Handlebars syntax error in the body is reported at its line in the file",
      text: `---
title: Runbook
labels: [config-triage]
---
Write a runbook for #{{parent.number}}.

{{#each problems}}
- {{this.what}}
{{/each}
`,
      problem: {
        file: FILE,
        line: 9,
        path: "",
        message: "the body does not parse: syntax error near `...{this.what}}{{/each}`",
      },
    },
    {
      name: "mismatched blocks in the body",
      text: "---\ntitle: Runbook\n---\nIntro\n\n{{#if failing}}\nFix it.\n{{/each}}\n",
      problem: { file: FILE, line: 6, path: "", message: "the body does not parse: if doesn't match each" },
    },
    {
      name: "a Handlebars syntax error in a title that is not the first key: the title's own line",
      text: "---\nlabels: [config-triage]\nwhen: always\ntitle: Runbook for {{parent.number}\n---\nbody\n",
      problem: {
        file: FILE,
        line: 4,
        path: "",
        message: "the title does not parse: syntax error near `... for {{parent.number}`",
      },
    },
    {
      name: "a Handlebars syntax error in the title",
      text: "---\ntitle: Runbook for {{parent.number}\n---\nbody\n",
      problem: {
        file: FILE,
        line: 2,
        path: "",
        message: "the title does not parse: syntax error near `... for {{parent.number}`",
      },
    },
    {
      name: "labels as a string, not a list: says so (not 'is required')",
      text: "---\ntitle: Runbook\nlabels: config-triage\n---\nbody\n",
      problem: { file: FILE, line: 3, path: "", message: "front matter `labels` must be a list, e.g. `[bug, ops]`" },
    },
    {
      name: "a key far from any known one: the keys are listed",
      text: "---\ntitle: Runbook\npriority: high\n---\nbody\n",
      problem: {
        file: FILE,
        line: 3,
        path: "",
        message:
          "unknown front matter key `priority`: the keys are title, labels, assignees, when, blocked_by, milestone, " +
          "type, closes_when_fixed",
      },
    },
  ])("$name", ({ text, problem }) => {
    expect(parseTemplate("runbook", FILE, text)).toEqual({ ok: false, problems: [problem] });
  });

  it("reports every front-matter mistake at once, each at its line", () => {
    const text = "---\nlabels: bug\nwhen: sometimes\nasignees: [octocat]\n---\nbody\n";
    expect(parseTemplate("runbook", FILE, text)).toEqual({
      ok: false,
      problems: [
        { file: FILE, line: 2, path: "", message: "front matter `title` is required" },
        { file: FILE, line: 2, path: "", message: "front matter `labels` must be a list, e.g. `[bug, ops]`" },
        { file: FILE, line: 3, path: "", message: "front matter `when` must be one of `always`, `failing`" },
        { file: FILE, line: 4, path: "", message: "unknown front matter key `asignees`: did you mean `assignees`?" },
      ],
    });
  });
});

describe("renderTemplate", () => {
  const data = {
    parent: {
      number: 930,
      title: "JWT Configuration Failures in GCP Staging",
      url: "https://github.com/netra-systems/netra-apex/issues/930",
    },
    missing: ["JWT_SECRET_STAGING"],
    environments: ["staging", "production"],
    problems: [
      {
        what: "`JWT_SECRET_STAGING` is missing on staging / netra-backend",
        target: { project: "netra-staging", region: "us-central1" },
      },
    ],
  };

  it("renders title, body and labels; the title is one line; Handlebars does not HTML-escape", () => {
    const template = parsed(`---
title: "Runbook:
  {{join missing ', '}} <{{parent.number}}>"
labels: ["env:{{join environments '+'}}", "{{#if nothing}}x{{/if}}", config-triage]
assignees: [octocat]
---
Runbook for #{{parent.number}} ({{parent.title}}) & {{parent.url}}
`);
    expect(renderTemplate(template, { ...data, nothing: false })).toEqual({
      ok: true,
      value: {
        title: "Runbook: JWT_SECRET_STAGING <930>",
        body:
          "Runbook for #930 (JWT Configuration Failures in GCP Staging) & " +
          "https://github.com/netra-systems/netra-apex/issues/930\n",
        labels: ["env:staging+production", "config-triage"],
        assignees: ["octocat"],
      },
    });
  });

  it.each<{ name: string; text: string; problem: ConfigProblem }>([
    {
      name: "an unknown placeholder in the body, with its line in the file",
      text: "---\ntitle: Runbook\nlabels: [config-triage]\n---\nIntro for #{{parent.number}}\n\nOwner: {{owner}}\n",
      problem: {
        file: FILE,
        line: 7,
        path: "",
        message: "the body: unknown placeholder `owner`: see the placeholders listed in docs/templates.md",
      },
    },
    {
      name: "an unknown field inside a loop",
      text: "---\ntitle: Runbook\n---\n{{#each problems}}\n- {{this.what}} on {{this.target.zone}}\n{{/each}}\n",
      problem: {
        file: FILE,
        line: 5,
        path: "",
        message: "the body: unknown placeholder `this.target.zone`: see the placeholders listed in docs/templates.md",
      },
    },
    {
      name: "an unknown placeholder in the title",
      text: "---\ntitle: Runbook for {{issue_number}}\n---\nbody\n",
      problem: {
        file: FILE,
        line: 2,
        path: "",
        message: "the title: unknown placeholder `issue_number`: see the placeholders listed in docs/templates.md",
      },
    },
    {
      name: "a typo of a nested placeholder: did you mean the right one",
      text: "---\ntitle: Runbook\n---\nSee #{{parent.nubmer}}\n",
      problem: {
        file: FILE,
        line: 4,
        path: "",
        message: "the body: unknown placeholder `parent.nubmer`: did you mean `parent.number`?",
      },
    },
    {
      name: "a typo inside a loop: did you mean a key of the items",
      text: "---\ntitle: Runbook\n---\n{{#each problems}}\n- {{waht}}\n{{/each}}\n",
      problem: { file: FILE, line: 5, path: "", message: "the body: unknown placeholder `waht`: did you mean `what`?" },
    },
  ])("$name", ({ text, problem }) => {
    expect(renderTemplate(parsed(text), data)).toEqual({ ok: false, problems: [problem] });
  });

  it("reports every unknown placeholder of a template in one run: title, body (twice on a line) and labels", () => {
    const template = parsed(`---
title: "Runbook for {{parent.titel}}"
labels: ["env:{{enviroments}}", config-triage]
---
Runbook for #{{parent.number}}: {{misssing}} and {{parnet.url}}.

{{#if missing}}Missing: {{join missing ', '}}{{/if}}
{{#each problems}}- {{this.wat}}
{{/each}}
`);
    expect(renderTemplate(template, data)).toEqual({
      ok: false,
      problems: [
        {
          file: FILE,
          line: 2,
          path: "",
          message: "the title: unknown placeholder `parent.titel`: did you mean `parent.title`?",
        },
        { file: FILE, line: 5, path: "", message: "the body: unknown placeholder `misssing`: did you mean `missing`?" },
        {
          file: FILE,
          line: 5,
          path: "",
          message: "the body: unknown placeholder `parnet.url`: did you mean `parent.url`?",
        },
        { file: FILE, line: 8, path: "", message: "the body: unknown placeholder `this.wat`: did you mean `what`?" },
        {
          file: FILE,
          line: 3,
          path: "",
          message: "the labels: unknown placeholder `enviroments`: did you mean `environments`?",
        },
      ],
    });
  });
});

describe("loadBuiltInTemplates", () => {
  const templates = loadBuiltInTemplates();

  it("loads the four shipped templates", () => {
    expect([...templates.keys()].sort()).toEqual([
      "flow-documentation",
      "health-monitoring",
      "immediate-fix",
      "ssot-consolidation",
    ]);
  });

  it.each([
    ["immediate-fix", "failing"],
    ["ssot-consolidation", "always"],
    ["flow-documentation", "always"],
    ["health-monitoring", "always"],
  ])("%s is opened %s", (name, when) => {
    const template = templates.get(name)!;
    expect(template.when).toBe(when);
    expect(template.file).toBe(`templates/${name}.md`);
    expect(template.labels).toContain("config-triage");
    expect(template.body).toContain("#{{parent.number}}");
  });

  it("refuses to start with a broken built-in template, naming its file and line", () => {
    const dir = mkdtempSync(join(tmpdir(), "config-triage-templates-"));
    try {
      writeFileSync(join(dir, "immediate-fix.md"), "---\ntitle: Fix\n---\nFix #{{parent.number}\n");
      writeFileSync(join(dir, "README.txt"), "not a template");
      expect(() => loadBuiltInTemplates(pathToFileURL(`${dir}/`))).toThrow(
        "templates/immediate-fix.md:4: the body does not parse: syntax error near `Fix #{{parent.number}`",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
