import type { LiveState, RevisionSnapshot, ServiceSnapshot } from "../domain/diagnosis/live-state.js";

function id(...parts: string[]): string {
  return parts.join("_").replace(/[^A-Za-z0-9_]/g, "_");
}

/**
 * A Mermaid flowchart of which services read which Secret Manager secrets, and which variables are literals, from the
 * live data. Names only: never values.
 */
export function renderSecretDiagram(live: LiveState): string {
  const lines = ["flowchart LR"];
  const secrets = new Map<string, string>();
  const edges: string[] = [];
  const byEnv = new Map<string, string[]>();
  const edgeKeys = new Set<string>();
  const seenEdge = (key: string) => !edgeKeys.has(key) && Boolean(edgeKeys.add(key));
  for (const state of live.services) {
    if (state.kind !== "ok") continue;
    const s = state.snapshot;
    const node = id("svc", s.environment, s.service);
    const nodes = byEnv.get(s.environment) ?? [];
    nodes.push(`    ${node}["${s.service}"]`);
    byEnv.set(s.environment, nodes);
    for (const container of s.template.containers) {
      for (const e of container.env) {
        if (e.source.kind !== "secret" || !seenEdge(`${node}>${e.source.secret}>${e.name}`)) continue;
        const secretNode = id("secret", s.project, e.source.secret);
        secrets.set(secretNode, `  ${secretNode}[("${e.source.secret}")]`);
        edges.push(
          `  ${secretNode} -- "${e.name}${container.serving ? "" : ` (sidecar ${container.name})`}" --> ${node}`,
        );
      }
      for (const m of container.secretMounts) {
        if (!seenEdge(`${node}>${m.secret}>${m.path}`)) continue;
        const secretNode = id("secret", s.project, m.secret);
        secrets.set(secretNode, `  ${secretNode}[("${m.secret}")]`);
        edges.push(`  ${secretNode} -. "file ${m.path}" .-> ${node}`);
      }
    }
  }
  for (const [env, nodes] of byEnv) lines.push(`  subgraph ${id("env", env)}["${env}"]`, ...nodes, "  end");
  lines.push(...secrets.values(), ...edges);
  if (lines.length === 1) lines.push('  none["no service could be read"]');
  return lines.join("\n");
}

function label(text: string): string {
  return text.replace(/"/g, "'");
}

/**
 * A Mermaid flowchart of one service: the revisions that serve traffic (with their shares), the latest created one
 * when it differs, and, for each, which of `variables` it carries (✅), lacks (❌) or could not be read (❔).
 */
export function renderRevisionDiagram(
  s: ServiceSnapshot,
  variables: Array<{ variable: string; aliases: string[] }>,
): string {
  const svc = id("svc", s.environment, s.service);
  const lines = ["flowchart LR", `  ${svc}["${label(`${s.service} (${s.environment})`)}"]`];
  const carries = (revision: RevisionSnapshot | undefined) =>
    variables
      .map(({ variable, aliases }) => {
        if (!revision) return `❔ ${variable}`;
        const serving = revision.containers.find((c) => c.serving);
        const has = [variable, ...aliases].some((n) => serving?.env.some((e) => e.name === n));
        return `${has ? "✅" : "❌"} ${variable}`;
      })
      .join("<br/>");
  const node = (name: string, revision: RevisionSnapshot | undefined, note = "") =>
    `${id("rev", name)}["${label(`${name}${note}`)}${variables.length ? `<br/>${carries(revision)}` : ""}"]`;
  const drawn = new Set<string>();
  for (const share of s.traffic) {
    drawn.add(share.revision);
    const latest = share.revision === s.latestReadyRevision ? " (latest ready)" : "";
    lines.push(`  ${svc} -- "${share.percent}%" --> ${node(share.revision, s.revisions[share.revision], latest)}`);
  }
  const created = s.latestCreatedRevision;
  if (created && !drawn.has(created)) {
    const failed = s.terminalCondition?.reason ? `: ${s.terminalCondition.reason}` : "";
    lines.push(
      `  ${svc} -. "0%, not ready${label(failed)}" .-> ` +
        `${node(created, s.revisions[created] ?? s.template, " (latest created)")}`,
    );
  }
  if (s.traffic.length === 0) lines.push(`  ${svc} --> none["no revision serves traffic"]`);
  return lines.join("\n");
}
