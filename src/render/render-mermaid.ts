import type { LiveState } from "../diagnosis/types.js";

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
  for (const state of live.services) {
    if (state.kind !== "ok") continue;
    const s = state.snapshot;
    const node = id("svc", s.environment, s.service);
    const nodes = byEnv.get(s.environment) ?? [];
    nodes.push(`    ${node}["${s.service}"]`);
    byEnv.set(s.environment, nodes);
    for (const container of s.template.containers) {
      for (const e of container.env) {
        if (e.source.kind !== "secret") continue;
        const secretNode = id("secret", s.project, e.source.secret);
        secrets.set(secretNode, `  ${secretNode}[("${e.source.secret}")]`);
        edges.push(`  ${secretNode} -- "${e.name}" --> ${node}`);
      }
      for (const m of container.secretMounts) {
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
