import { closest, distance } from "fastest-levenshtein";
import type { ConfigProblem } from "../config/parse-config.js";
import { CONFIG_PATH, type Config } from "../config/schema.js";
import type { Template } from "../config/follow-up-template.js";

/** One dependency between two follow-ups of the same parent: `blocked` waits for `blocking` (template names). */
export interface TemplateLink {
  blocked: string;
  blocking: string;
}

/**
 * Checks the `blocked_by:` of every template the config enables: each name must be a template that exists and that
 * `follow_ups` enables, and the links must not make a cycle. Problems carry the template's file and the entry's line.
 * Templates the config does not enable are not checked (their dependencies never apply). A built-in template's link to
 * a template the config leaves out is dropped instead: the repository chose not to open that follow-up, and cannot
 * edit the app's file.
 */
export function checkDependencies(config: Config, templates: Map<string, Template>): ConfigProblem[] {
  const enabled = [...new Set(config.follow_ups.map((f) => f.template))].filter((name) => templates.has(name));
  const problems: ConfigProblem[] = [];
  for (const name of enabled) {
    const template = templates.get(name)!;
    template.blockedBy.forEach((other, i) => {
      const at = { file: template.file, line: template.blockedByLines[i], path: "" };
      if (!templates.has(other)) {
        const names = [...templates.keys()];
        const best = closest(other, names);
        const near = distance(other, best) <= Math.max(2, Math.floor(other.length / 3));
        const all = names.map((n) => `\`${n}\``).join(", ");
        const hint = near ? `did you mean \`${best}\`?` : `the templates are ${all}`;
        problems.push({ ...at, message: `\`blocked_by\` names \`${other}\`, which is no template: ${hint}` });
      } else if (!enabled.includes(other) && !isBuiltIn(template)) {
        const fix = `add \`${other}\` to \`follow_ups\`, or remove it from \`blocked_by\``;
        const message = `\`blocked_by\` names \`${other}\`, which \`${CONFIG_PATH}\` does not enable: ${fix}`;
        problems.push({ ...at, message });
      }
    });
  }
  const cycle = findCycle(enabled, (name) => templates.get(name)!.blockedBy.filter((b) => enabled.includes(b)));
  if (cycle) {
    const first = templates.get(cycle[0])!;
    const i = first.blockedBy.indexOf(cycle[1]);
    problems.push({
      file: first.file,
      line: first.blockedByLines[i],
      path: "",
      message:
        `\`blocked_by\` makes a cycle (${cycle.map((n) => `\`${n}\``).join(" → ")}): ` +
        "a follow-up cannot wait for itself; remove one of these links",
    });
  }
  return problems;
}

/** The first cycle found, as a path that ends where it starts (`[a, b, a]`), or undefined. */
function findCycle(nodes: string[], next: (node: string) => string[]): string[] | undefined {
  const done = new Set<string>();
  const visit = (node: string, path: string[]): string[] | undefined => {
    const at = path.indexOf(node);
    if (at >= 0) return [...path.slice(at), node];
    if (done.has(node)) return undefined;
    for (const n of next(node)) {
      const found = visit(n, [...path, node]);
      if (found) return found;
    }
    done.add(node);
    return undefined;
  };
  for (const node of nodes) {
    const found = visit(node, []);
    if (found) return found;
  }
  return undefined;
}

/** The links between enabled templates that exist (call after `checkDependencies` found no problem). */
export function templateLinks(config: Config, templates: Map<string, Template>): TemplateLink[] {
  const enabled = new Set(config.follow_ups.map((f) => f.template));
  return [...enabled].flatMap((blocked) =>
    (templates.get(blocked)?.blockedBy ?? []).filter((b) => enabled.has(b)).map((blocking) => ({ blocked, blocking })),
  );
}

function isBuiltIn(template: Template): boolean {
  return template.file.startsWith("templates/");
}
