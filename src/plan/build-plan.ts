import type { Config } from "../config/schema.js";
import type { ConfigProblem } from "../config/parse-config.js";
import type { Diagnosis } from "../diagnosis/evaluate.js";
import type { LiveState } from "../diagnosis/types.js";
import { escapeMarkdown } from "../render/escape-markdown.js";
import { fitBody, fitTitle, GITHUB_BODY_LIMIT } from "../render/fit-body.js";
import { writeMarker } from "../render/markers.js";
import { renderSecretDiagram } from "../render/render-mermaid.js";
import { renderTemplate, type RenderedIssue, type Template } from "../render/templates.js";

/** The issue being triaged. */
export interface ParentIssue {
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string | null;
  url: string;
  /** As the event saw it; a closed issue is not closed again. */
  state?: string;
}

/** A follow-up issue that already exists (found through the parent's sub-issues). */
export interface ExistingFollowUp {
  template: string;
  id: number;
  /** Its GraphQL node id, when known (re-linking by it cannot hit another issue after a transfer). */
  node_id?: string;
  number: number;
  title: string;
  state: "open" | "closed";
  /** Whether it is linked to the parent as a sub-issue. */
  linked: boolean;
}

export interface NewFollowUp extends RenderedIssue {
  template: string;
}

/** Everything a triage run will write, as plain data. */
export interface TriagePlan {
  create: NewFollowUp[];
  /** Existing follow-ups that lost their sub-issue link (a run that died after creating them). */
  link: ExistingFollowUp[];
  existing: ExistingFollowUp[];
  /** Close the parent as completed. */
  close: boolean;
  outcome: "open" | "closed" | "comment-only";
}

export type PlanResult = { ok: true; plan: TriagePlan } | { ok: false; problems: ConfigProblem[] };

/** The data a template can use. Text that people wrote is escaped; names from config and Cloud Run are not. */
export function templateData(parent: ParentIssue, diagnosis: Diagnosis, live: LiveState): Record<string, unknown> {
  const failing = diagnosis.problems.filter((p) => p.severity === "fail");
  const unique = (xs: string[]) => [...new Set(xs)];
  const byService = new Map<string, { environment: string; service: string; variables: string[] }>();
  for (const r of diagnosis.results) {
    const key = `${r.target.environment}/${r.target.service}`;
    const entry = byService.get(key) ?? { environment: r.target.environment, service: r.target.service, variables: [] };
    if (!entry.variables.includes(r.variable)) entry.variables.push(r.variable);
    byService.set(key, entry);
  }
  return {
    parent: { number: parent.number, title: escapeMarkdown(parent.title), url: parent.url },
    repository: `${parent.owner}/${parent.repo}`,
    failing: failing.length > 0,
    // A fix of several commands stays inside the list item's code block of a template (continuation lines indented).
    problems: failing.map((p) => (p.fix?.includes("\n") ? { ...p, fix: p.fix.replace(/\n/g, "\n  ") } : p)),
    missing: unique(
      diagnosis.results.filter((r) => r.status === "missing" || r.status === "wrong-source").map((r) => r.variable),
    ),
    variables: unique(diagnosis.results.map((r) => r.variable)),
    environments: unique(diagnosis.results.map((r) => r.target.environment)),
    failing_environments: unique(failing.map((p) => p.target.environment)),
    services: [...byService.values()],
    diagram: renderSecretDiagram(live),
    date: diagnosis.fetchedAt.slice(0, 10),
  };
}

/**
 * Decides which follow-ups to open and whether to close the parent. Pure: the caller gathers the inputs and applies
 * the result. A follow-up that exists already (open or closed) is never opened again.
 */
export function buildPlan(input: {
  config: Config;
  parent: ParentIssue;
  diagnosis: Diagnosis;
  live: LiveState;
  templates: Map<string, Template>;
  existing: ExistingFollowUp[];
}): PlanResult {
  const { config, parent, diagnosis, live, templates, existing } = input;
  const failing = diagnosis.verdict === "fail";
  const data = templateData(parent, diagnosis, live);
  const problems: ConfigProblem[] = [];
  const create: NewFollowUp[] = [];
  config.follow_ups.forEach((rule, i) => {
    const template = templates.get(rule.template);
    if (!template) {
      problems.push({
        file: ".github/config-triage.yml",
        path: `follow_ups.${i}`,
        message: `no template \`${rule.template}\`: add \`.github/config-triage/${rule.template}.md\`, or use one of ${[...templates.keys()].map((k) => `\`${k}\``).join(", ")}`,
      });
      return;
    }
    // Rendered even when not needed, so that a broken template is reported on the first run, not on the day it matters.
    const rendered = renderTemplate(template, data);
    if (!rendered.ok) {
      problems.push(...rendered.problems);
      return;
    }
    const when = rule.when ?? template.when;
    if (when === "failing" && !failing) return;
    // With nothing checked there is nothing to follow up on: the comment asks for checks instead.
    if (diagnosis.verdict === "nothing-to-check") return;
    if (existing.some((e) => e.template === rule.template)) return;
    const { title, body } = rendered.value;
    const fitted = { title: fitTitle(title), body: followUpBody(body, parent, rule.template) };
    create.push({ template: rule.template, ...rendered.value, ...fitted });
  });
  if (problems.length) return { ok: false, problems };
  const passing = diagnosis.verdict === "pass";
  const close = passing && config.on_pass === "close";
  return {
    ok: true,
    plan: {
      create,
      link: existing.filter((e) => !e.linked),
      existing,
      close,
      outcome: passing ? (close ? "closed" : "comment-only") : "open",
    },
  };
}

/**
 * A follow-up's body: its marker, the rendered template, and a line naming the parent; within GitHub's limit (the
 * template's text is cut, with a note, never the marker or the line naming the parent).
 */
export function followUpBody(body: string, parent: ParentIssue, template: string): string {
  const marker = writeMarker("follow-up", { parent: parent.number, template });
  const parentLine = `Follow-up of #${parent.number}.`;
  const text = fitBody(body.trimEnd(), {
    limit: GITHUB_BODY_LIMIT - marker.length - parentLine.length - 8,
    note: (n) =>
      `\n\n> ✂️ This issue's text was cut to fit GitHub's 65,536-character limit: ` +
      `${n} more lines of the template \`${template}\` are not shown.`,
  });
  const mentionsParent = new RegExp(`#${parent.number}(?!\\d)`).test(text);
  return [marker, text, mentionsParent ? "" : parentLine].filter(Boolean).join("\n\n") + "\n";
}
