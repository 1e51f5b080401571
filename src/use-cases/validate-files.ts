import { evaluate } from "../domain/diagnosis/evaluate.js";
import { resolveRequirements } from "../domain/diagnosis/resolve-requirements.js";
import { serviceToSnapshot } from "../domain/diagnosis/to-snapshot.js";
import type { LiveState } from "../domain/diagnosis/live-state.js";
import { buildFollowUpPlan, templateData } from "../rendering/build-follow-up-plan.js";
import type { ParentIssue } from "../domain/follow-up-plan/follow-up-plan.js";
import { renderTemplate } from "../rendering/templates.js";
import { parseTemplate, type Template } from "../domain/config/follow-up-template.js";
import { locate, parseConfig, parseConfigText, type ConfigProblem } from "../domain/config/parse-config.js";
import { CONFIG_PATH, type Config } from "../domain/config/schema.js";

/** A file as read from disk or from a commit. */
export interface SourceFile {
  /** Shown in problems, e.g. `.github/config-triage/immediate-fix.md`. */
  file: string;
  text: string;
}

/** Used to render the templates when the config itself is invalid, so template mistakes are still found. */
const SAMPLE_CONFIG = parseConfig({
  environments: { staging: { project: "sample-project", region: "us-central1", services: ["sample-service"] } },
  checks: [{ variable: "JWT_SECRET_STAGING", from: "secret-manager" }],
}) as { ok: true; config: Config };

const SAMPLE_PARENT: ParentIssue = {
  owner: "OWNER",
  repo: "REPO",
  number: 1,
  title: "Sample issue: `JWT_SECRET_STAGING` missing on staging",
  body: "",
  url: "https://github.com/OWNER/REPO/issues/1",
};

/**
 * Sample data for the templates, derived from the config: every configured service, live, with no variable set (so
 * every check fails and every placeholder a failing triage has is filled), or with every variable set (passing).
 */
export function sampleTemplateData(config: Config, failing: boolean) {
  const requirements = resolveRequirements(config, { title: "", body: null });
  const variables = [...new Set(requirements.map((c) => c.variable))];
  const services = Object.entries(config.environments).flatMap(([environment, env]) =>
    env.services.map((service) => ({ environment, project: env.project, region: env.region, service })),
  );
  const live: LiveState = {
    source: "live",
    fetchedAt: "2025-01-01T00:00:00.000Z",
    services: services.map((target) => ({
      kind: "ok",
      target,
      snapshot: serviceToSnapshot(target, {
        name: `projects/${target.project}/locations/${target.region}/services/${target.service}`,
        template: {
          containers: [
            {
              name: "app",
              ports: [{ containerPort: 8080 }],
              env: failing
                ? []
                : variables.map((name) => ({
                    name,
                    valueSource: { secretKeyRef: { secret: name.toLowerCase(), version: "latest" } },
                  })),
            },
          ],
        },
      }),
    })),
  };
  const diagnosis = evaluate(requirements, live);
  return { diagnosis, live, data: templateData(SAMPLE_PARENT, diagnosis, live) };
}

/**
 * Validates a configuration and the templates it may use, as the app would use them: the config against the strict
 * schema, each template's front matter, each template rendered with sample data (failing, and passing for templates
 * that open when checks pass), and every follow-up naming a template that exists. Problems carry file, line and column.
 */
export function validateFiles(input: {
  /** `value`: the config as the one config source merged it (`_extends`); else `text` is parsed alone. */
  config?: SourceFile & { value?: unknown };
  repoTemplates: SourceFile[];
  builtInTemplates: Map<string, Template>;
}): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  let config: Config = SAMPLE_CONFIG.config;
  let configOk = false;
  if (input.config) {
    const { file, text, value } = input.config;
    const parsed = value === undefined ? parseConfigText(text, file) : parseConfig(value, { file, text });
    if (parsed.ok) {
      config = parsed.config;
      configOk = true;
    } else problems.push(...parsed.problems);
  }
  const templates = new Map(input.builtInTemplates);
  for (const f of input.repoTemplates) {
    const name = f.file.split("/").pop()!.replace(/\.md$/, "");
    const parsed = parseTemplate(name, f.file, f.text);
    if (parsed.ok) templates.set(name, parsed.value);
    else problems.push(...parsed.problems);
  }
  const seen = new Set<string>();
  const add = (p: ConfigProblem) => {
    const key = `${p.file}:${p.line}:${p.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push(p);
  };
  for (const failing of [true, false]) {
    const sample = sampleTemplateData(config, failing);
    for (const template of templates.values()) {
      if (!failing && template.when === "failing") continue;
      const rendered = renderTemplate(template, sample.data);
      if (!rendered.ok) rendered.problems.forEach(add);
    }
    if (configOk) {
      const planned = buildFollowUpPlan({
        config,
        parent: SAMPLE_PARENT,
        diagnosis: sample.diagnosis,
        live: sample.live,
        templates,
        existing: [],
      });
      if (!planned.ok) {
        const fromConfig = planned.problems
          .filter((p) => p.file === CONFIG_PATH)
          .map((p) => ({ ...p, file: input.config!.file }));
        locate(fromConfig, input.config!.text).forEach(add);
        planned.problems.filter((p) => p.file !== CONFIG_PATH).forEach(add);
      }
    }
  }
  return problems;
}
