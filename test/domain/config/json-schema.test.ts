import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse } from "yaml";
import {
  configJsonSchema,
  configJsonSchemaText,
  JSON_SCHEMA_PATH,
  TEMPLATE_SCHEMA_PATH,
  templateJsonSchemaText,
} from "../../../src/domain/config/to-json-schema.js";
import { parseTemplate } from "../../../src/domain/config/follow-up-template.js";
import { parseConfig } from "../../../src/domain/config/parse-config.js";
import { scenarioConfigYaml } from "../../../dev/scenario.js";

const committed = readFileSync(new URL(`../../../${JSON_SCHEMA_PATH}`, import.meta.url), "utf8");
const ajv = new Ajv2020({ allErrors: true, strict: false });
const validate = ajv.compile(configJsonSchema());

test("the committed schema is the one generated from the zod schema (run `npm run schema` after changing it)", () => {
  expect(committed).toBe(configJsonSchemaText());
});

test("the package ships it", async () => {
  const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8"));
  expect(pkg.files).toContain("schema");
});

// The editor's schema and the app's validation agree on what people write.
test.each([
  ["the scenario's config", scenarioConfigYaml, true],
  ["the minimum: one environment", "environments:\n  staging: { project: p, region: r, services: [a] }\n", true],
  [
    "a follow-up as { template, when }",
    "environments:\n  s: { project: p, region: r, services: [a] }\nfollow_ups: [{ template: immediate-fix, " +
      "when: always }]\n",
    true,
  ],
  [
    "_extends (Probot merges it before the app validates)",
    "_extends: ops-config\nenvironments:\n  s: { project: p, region: r, services: [a] }\n",
    true,
  ],
  ["a misspelt key", "environments:\n  s: { project: p, regoin: r, services: [a] }\n", false],
  ["no environments", "checks: []\n", false],
  [
    "an unknown source",
    "environments:\n  s: { project: p, region: r, services: [a] }\nchecks: [{ variable: A_B, from: vault }]\n",
    false,
  ],
  ["an environment name in capitals", "environments:\n  Staging: { project: p, region: r, services: [a] }\n", false],
  [
    "a template name with .md",
    "environments:\n  s: { project: p, region: r, services: [a] }\nfollow_ups: [immediate-fix.md]\n",
    false,
  ],
])("%s", (_name, yaml, valid) => {
  const value = parse(yaml);
  expect(validate(value)).toBe(valid);
  const { _extends, ...forApp } = value;
  expect(parseConfig(forApp).ok).toBe(valid);
});

describe("the template front-matter schema", () => {
  const text = templateJsonSchemaText();
  const validateFrontMatter = ajv.compile(JSON.parse(text));

  test("is committed as generated (run `npm run schema` after changing it)", () => {
    expect(readFileSync(new URL(`../../../${TEMPLATE_SCHEMA_PATH}`, import.meta.url), "utf8")).toBe(text);
  });

  // The editor's schema and the app's front-matter check agree, the new keys included.
  test.each([
    [
      "the built-in documentation template's keys",
      "title: Docs\nblocked_by: [ssot-consolidation]\nmilestone: next\ntype: Task\n",
      true,
    ],
    ["a milestone by title", "title: Docs\nmilestone: Sprint 48\n", true],
    ["blocked_by naming a file", "title: Docs\nblocked_by: [ssot-consolidation.md]\n", false],
    ["an unknown key", "title: Docs\nblocks: [x]\n", false],
    ["a type that is a list", "title: Docs\ntype: [Task]\n", false],
  ])("%s", (_name, yaml, valid) => {
    expect(validateFrontMatter(parse(yaml))).toBe(valid);
    expect(parseTemplate("docs", "docs.md", `---\n${yaml}---\nbody\n`).ok).toBe(valid);
  });
});
