import type { Config } from "../domain/config/schema.js";
import type { ConfigProblem } from "../domain/config/parse-config.js";
import { problemKind, type Diagnosis } from "../domain/diagnosis/evaluate.js";
import type { LiveState } from "../domain/diagnosis/live-state.js";
import { escapeMarkdown } from "./escape-markdown.js";
import { fitBody, fitTitle, GITHUB_BODY_LIMIT } from "./fit-body.js";
import { followUpMarker } from "../domain/issue-state/markers.js";
import { renderSecretDiagram } from "./render-mermaid.js";
import { renderTemplate } from "./templates.js";
import type {
  ExistingFollowUp,
  NewFollowUp,
  ParentIssue,
  FollowUpPlanResult,
  RepoStructure,
} from "../domain/follow-up-plan/follow-up-plan.js";
import type { Template } from "../domain/config/follow-up-template.js";
import { checkDependencies, templateLinks } from "../domain/follow-up-plan/check-dependencies.js";
import { summarizeProblems, problemSubject } from "../domain/follow-up-plan/describe-problem.js";
import { blockersFirst, followUpToken, resolveFollowUpRefs } from "../domain/follow-up-plan/follow-up-refs.js";
import { chooseIssueType, chooseMilestone } from "./choose-structure.js";
import { fixRecords, type FixRecord } from "../domain/follow-up-plan/decide-fix-follow-ups.js";

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
  // Every field a template may use is present (strict rendering), whatever the kind of problem.
  const asData = (p: Diagnosis["problems"][number]) => ({
    ...p,
    kind: problemKind(p.key),
    subject: problemSubject(p),
    // A fix of several commands stays inside the list item's code block of a template (continuation lines indented).
    fix: (p.fix ?? "").replace(/\n/g, "\n  "),
    revision: p.revision ?? "",
    container: p.container ?? "",
  });
  const attention = failing.length ? failing : diagnosis.problems;
  const variables = unique(diagnosis.results.map((r) => r.variable));
  const environments = unique([
    ...diagnosis.results.map((r) => r.target.environment),
    ...diagnosis.problems.map((p) => p.target.environment),
  ]);
  const checked = variables.length ? `${variables.join(", ")} on ${environments.join(", ")}` : "";
  const everywhere = `the configuration of ${environments.join(", ") || "the services"}`;
  return {
    parent: { number: parent.number, title: escapeMarkdown(parent.title), url: parent.url },
    repository: `${parent.owner}/${parent.repo}`,
    failing: failing.length > 0,
    problems: failing.map(asData),
    attention: attention.map(asData),
    summary: summarizeProblems(attention) || checked || everywhere,
    projects: unique(attention.map((p) => p.target.project)),
    milestone: "",
    blocked_by: [],
    missing: unique(
      diagnosis.results.filter((r) => r.status === "missing" || r.status === "wrong-source").map((r) => r.variable),
    ),
    variables,
    environments,
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
export function buildFollowUpPlan(input: {
  config: Config;
  parent: ParentIssue;
  diagnosis: Diagnosis;
  live: LiveState;
  templates: Map<string, Template>;
  existing: ExistingFollowUp[];
  /** Milestones and issue types; without it, a template's `milestone:` and `type:` are noted as not set. */
  structure?: RepoStructure;
}): FollowUpPlanResult {
  const { config, parent, diagnosis, live, templates, existing } = input;
  const failing = diagnosis.verdict === "fail";
  const data = templateData(parent, diagnosis, live);
  const problems: ConfigProblem[] = [...checkDependencies(config, templates)];
  const create: NewFollowUp[] = [];
  const today = diagnosis.fetchedAt.slice(0, 10);
  // Titles first: a body names the follow-ups it waits for by title.
  const titles = new Map<string, string>();
  for (const rule of config.follow_ups) {
    const template = templates.get(rule.template);
    const rendered = template && renderTemplate(template, data);
    if (rendered?.ok) titles.set(rule.template, rendered.value.title);
  }
  const enabled = new Set(config.follow_ups.map((f) => f.template));
  config.follow_ups.forEach((rule, i) => {
    const template = templates.get(rule.template);
    if (!template) {
      problems.push({
        file: ".github/config-triage.yml",
        path: `follow_ups.${i}`,
        message:
          `no template \`${rule.template}\`: add \`.github/config-triage/${rule.template}.md\`, or use one of ` +
          `${[...templates.keys()].map((k) => `\`${k}\``).join(", ")}`,
      });
      return;
    }
    const structure = chooseStructure(template, input.structure, today);
    const blockedBy = template.blockedBy
      .filter((t) => enabled.has(t))
      .map((t) => {
        const there = existing.find((e) => e.template === t);
        // An existing follow-up's title may have been edited by a person: escaped like other text people wrote.
        const title = there ? escapeMarkdown(there.title || titles.get(t) || t) : (titles.get(t) ?? t);
        return { template: t, title, ref: there ? `#${there.number}` : followUpToken(t) };
      });
    // Rendered even when not needed, so that a broken template is reported on the first run, not on the day it matters.
    // A milestone title is text people wrote: escaped like the issue title.
    const milestone = escapeMarkdown(structure.milestone?.title ?? "");
    const rendered = renderTemplate(template, { ...data, milestone, blocked_by: blockedBy });
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
    // A follow-up that carries the fix records the problems it was opened for: it closes when they pass.
    const fixes = template.closesWhenFixed ? fixRecords(diagnosis.problems) : undefined;
    const fitted = { title: fitTitle(title), body: followUpBody(body, parent, rule.template, fixes) };
    create.push({ template: rule.template, ...rendered.value, ...fitted, ...structure, blockedBy: [] });
  });
  if (problems.length) return { ok: false, problems };
  const present = new Set([...create, ...existing].map((f) => f.template));
  const links = templateLinks(config, templates).filter((l) => present.has(l.blocked) && present.has(l.blocking));
  const opened = new Set(create.map((d) => d.template));
  for (const draft of create) {
    draft.blockedBy = links.filter((l) => l.blocked === draft.template).map((l) => l.blocking);
    // A follow-up that waits for one that is not opened (a `when: failing` one on a passing check) says so.
    const notOpened = (t: string) => (opened.has(t) ? followUpToken(t) : `the \`${t}\` follow-up (not opened)`);
    draft.body = resolveFollowUpRefs(draft.body, new Map(), notOpened);
  }
  // Blockers first, so each body can name the issues it waits for by number when it is sent.
  create.splice(0, create.length, ...blockersFirst(create));
  const passing = diagnosis.verdict === "pass";
  const close = passing && config.on_pass === "close";
  return {
    ok: true,
    plan: {
      create,
      link: existing.filter((e) => !e.linked),
      existing,
      links,
      close,
      outcome: passing ? (close ? "closed" : "comment-only") : "open",
    },
  };
}

/** The milestone and type a template asks for, as the repository offers them, with a note for each that is not set. */
type Structure = Pick<NewFollowUp, "milestone" | "type" | "notes">;

function chooseStructure(template: Template, structure: RepoStructure | undefined, today: string): Structure {
  const out: Structure = { notes: [] };
  if (template.milestone) {
    const choice = chooseMilestone(template.milestone, structure?.milestones ?? [], today);
    if (choice.ok) out.milestone = choice.value;
    else out.notes.push(`no milestone: ${choice.why}`);
  }
  if (template.type) {
    const choice = chooseIssueType(template.type, structure ? structure.issueTypes : []);
    if (choice.ok) out.type = choice.value;
    else out.notes.push(`no type: ${choice.why}`);
  }
  return out;
}

/**
 * A follow-up's body: its marker, the rendered template, and a line naming the parent; within GitHub's limit (the
 * template's text is cut, with a note, never the marker or the line naming the parent).
 */
export function followUpBody(body: string, parent: ParentIssue, template: string, fixes?: FixRecord[]): string {
  const marker = followUpMarker({ parent: parent.number, template, ...(fixes?.length ? { fixes } : {}) });
  const parentLine = `Follow-up of #${parent.number}.`;
  const text = fitBody(body.trimEnd(), {
    limit: GITHUB_BODY_LIMIT - marker.length - parentLine.length - 8,
    note: (n) =>
      `\n\n> ✂️ This issue's text was cut to fit GitHub's 65,536-character limit: ` +
      `${n} more lines of the template \`${template}\` are not shown.`,
  });
  const mentionsParent = new RegExp(`#${parent.number}(?!\\d)`).test(text);
  return `${[marker, text, mentionsParent ? "" : parentLine].filter(Boolean).join("\n\n")}\n`;
}
