import { describeVerdicts, verifySecretUse } from "./verify-secret-use.js";
import type { LiveState, ServiceTarget } from "./live-state.js";
import type { VariableResult, Problem } from "./diagnosis.js";
import { where, sameTarget } from "./snapshot-facts.js";

/** What Secret Manager says about the versions a diagnosis relies on (see `verifySecretUse`). */

/**
 * With what Secret Manager said (`live.secrets`): each fix that relies on a secret says whether it will work, or gets
 * the commands that must run first; each secret a service already reads is checked too, since a DISABLED version or a
 * lost grant fails its next deploy. Returns the problems about configured references.
 */
export function verifySecrets(results: VariableResult[], problems: Problem[], live: LiveState): Problem[] {
  const facts = live.secrets ?? [];
  const numbers = live.projectNumbers ?? {};
  const offline = live.services.filter((s) => s.origin).map((s) => s.target);
  const isOffline = (t: ServiceTarget) => offline.some((o) => sameTarget(o, t));
  for (const p of problems) {
    if (!p.secretUses?.length) continue;
    if (isOffline(p.target)) {
      p.verified = "❔ not verified: this environment is read from a snapshot, and the check makes no live call for it";
      continue;
    }
    const verdicts = p.secretUses.map((u) => verifySecretUse(u, facts, numbers));
    p.verified = describeVerdicts(verdicts);
    const before = [...new Set(verdicts.flatMap((v) => v.before))];
    if (before.length && p.fix) p.fix = [...before, p.fix].join("\n");
  }
  const found: Problem[] = [];
  for (const r of results) {
    if (!r.secretUse || !r.source || r.source.kind === "literal" || isOffline(r.target)) continue;
    const replaced = problems.some(
      (p) => p.target === r.target && /^(source|version):/.test(p.key) && p.key.endsWith(`:${r.foundAs}`),
    );
    if (replaced) continue;
    const v = verifySecretUse(r.secretUse, facts, numbers);
    if (v.status === "works") continue;
    const t = r.target;
    const ref = `secret \`${r.secretUse.secret}\` version \`${r.secretUse.version}\``;
    found.push(
      v.status === "blocked"
        ? {
            severity: "fail",
            what:
              `\`${r.foundAs}\` on ${where(t)} reads ${ref}, which its next deploy cannot read: ` +
              `${v.found.filter((f) => !/exists in|is ENABLED|holds an access/.test(f)).join("; ")}`,
            target: t,
            container: r.container,
            why:
              `Cloud Run checks every secret at deploy: the next deploy of ${t.service} (and each new instance, for ` +
              `a variable) fails with \`SECRETS_ACCESS_CHECK_FAILED\`, although the service looks configured`,
            fix: v.before.join("\n"),
            key: `secret:${t.environment}:${t.service}:${r.foundAs}`,
          }
        : {
            severity: "warn",
            what: `could not verify ${ref}, which \`${r.foundAs}\` on ${where(t)} reads`,
            target: t,
            container: r.container,
            why:
              `${v.found.join("; ")}. The app reads Secret Manager metadata with \`roles/secretmanager.viewer\`; a ` +
              `question it could not ask is not counted as missing`,
            fix: v.settle,
            key: `secret-unverified:${t.environment}:${t.service}:${r.foundAs}`,
          },
    );
  }
  return found;
}
