import type { SecretFetchOptions, SecretVerification } from "../../domain/diagnosis/live-state.js";
import { runtimeAccount } from "../../domain/diagnosis/verify-secret-use.js";
import { ALLOWED_PROJECTS_VAR } from "../../domain/config/allowed-projects.js";
import { GoogleCredentialsError } from "../cloud-run/create-clients.js";
import type { SecretManagerClients } from "./create-clients.js";
import { classifyCloudRunError } from "../cloud-run/fetch-live-state.js";
import { mapBounded } from "../../domain/map-bounded.js";
import type { SecretFacts, SecretUse, Unverified } from "../../domain/diagnosis/live-state.js";

/** Roles known to carry `secretmanager.versions.access` (what a runtime account needs to read a secret). */
export const ACCESS_ROLES = ["roles/secretmanager.secretAccessor", "roles/secretmanager.admin", "roles/owner"];

type IPolicy = { bindings?: { role?: string | null; members?: string[] | null; condition?: unknown }[] | null };

/**
 * Reads what Secret Manager knows about the secrets the diagnosis relies on: metadata only
 * (`roles/secretmanager.viewer` is enough), never a value.
 *
 * Economy: one `ListSecrets` per project (one `GetSecret` per referenced secret when listing is refused); then, per
 * secret that exists, one `GetIamPolicy` and one `GetSecretVersion` per referenced version; the project's IAM policy
 * (Resource Manager `GetIamPolicy`, once per project) only when a secret's own policy does not grant the access; the
 * project's number (`GetProject`) only when a default compute account must be named and the service did not show it.
 * At most `concurrency` calls at a time. A refusal is recorded as "could not verify", never as "missing".
 */
export async function fetchSecretFacts(
  clients: SecretManagerClients,
  uses: SecretUse[],
  options: SecretFetchOptions = {},
): Promise<SecretVerification> {
  const { concurrency = 8, timeoutMs = 15_000, allowProject = () => true } = options;
  const call = { timeout: timeoutMs, retry: null };
  const unverified = (error: unknown, permission: string): Unverified => ({
    unverified: classifyCloudRunError(error, permission),
  });
  const refused = (project: string): Unverified => ({
    unverified: {
      reason: "permission-denied",
      detail: `project \`${project}\` is not allowed for this installation by \`${ALLOWED_PROJECTS_VAR}\``,
    },
  });

  // Without credentials nothing is asked: a client that starts without them fails where no caller sees it.
  try {
    await clients.checkCredentials?.(timeoutMs);
  } catch (error) {
    if (!(error instanceof GoogleCredentialsError)) throw error;
    const none: Unverified = {
      unverified: { reason: "unauthenticated", source: "credentials", detail: error.message },
    };
    const facts = [...new Map(uses.map((u) => [`${u.project}/${u.secret}`, u])).values()];
    return {
      facts: facts.map((u) => ({ project: u.project, secret: u.secret, exists: none, versions: {} })),
      projectNumbers: {},
    };
  }
  const bySecret = new Map<string, { project: string; secret: string; versions: Set<string> }>();
  for (const u of uses) {
    const key = `${u.project}/${u.secret}`;
    const entry = bySecret.get(key) ?? { project: u.project, secret: u.secret, versions: new Set<string>() };
    entry.versions.add(u.version);
    bySecret.set(key, entry);
  }
  const projects = [...new Set([...bySecret.values()].map((s) => s.project))];
  const projectNumbers: Record<string, string> = {};

  // Which secrets exist, per project.
  const existence = new Map<string, boolean | Unverified>();
  await mapBounded(projects, concurrency, async (project) => {
    const wanted = [...bySecret.values()].filter((s) => s.project === project);
    if (!allowProject(project)) {
      for (const s of wanted) existence.set(`${project}/${s.secret}`, refused(project));
      return;
    }
    try {
      const [secrets] = await clients.secrets.listSecrets({ parent: `projects/${project}` }, call);
      const names = new Set(
        secrets.map((s) =>
          String(s.name ?? "")
            .split("/")
            .pop(),
        ),
      );
      const number = /^projects\/(\d+)\//.exec(String(secrets[0]?.name ?? ""))?.[1];
      if (number) projectNumbers[project] = number;
      for (const s of wanted) existence.set(`${project}/${s.secret}`, names.has(s.secret));
    } catch (error) {
      const listing = unverified(error, "secretmanager.secrets.list");
      if (listing.unverified.reason !== "permission-denied") {
        for (const s of wanted) existence.set(`${project}/${s.secret}`, listing);
        return;
      }
      // Listing refused: one GetSecret per referenced secret (`secretmanager.secrets.get`, granted per secret).
      await mapBounded(wanted, concurrency, async (s) => {
        try {
          await clients.secrets.getSecret({ name: `projects/${project}/secrets/${s.secret}` }, call);
          existence.set(`${project}/${s.secret}`, true);
        } catch (e) {
          existence.set(
            `${project}/${s.secret}`,
            (e as { code?: number }).code === 5 ? false : unverified(e, "secretmanager.secrets.get"),
          );
        }
      });
    }
  });

  const facts = await mapBounded([...bySecret.values()], concurrency, async (s): Promise<SecretFacts> => {
    const name = `projects/${s.project}/secrets/${s.secret}`;
    const exists = existence.get(`${s.project}/${s.secret}`) ?? false;
    const fact: SecretFacts = { project: s.project, secret: s.secret, exists, versions: {} };
    if (exists !== true) return fact;
    await Promise.all([
      ...[...s.versions].map(async (version) => {
        try {
          const [v] = await clients.secrets.getSecretVersion({ name: `${name}/versions/${version}` }, call);
          fact.versions[version] = {
            state: String(v.state ?? "STATE_UNSPECIFIED"),
            resolved: String(v.name ?? "")
              .split("/")
              .pop(),
          };
        } catch (e) {
          fact.versions[version] =
            (e as { code?: number }).code === 5 ? { state: "NOT_FOUND" } : unverified(e, "secretmanager.versions.get");
        }
      }),
      (async () => {
        try {
          const [policy] = await clients.secrets.getIamPolicy({ resource: name }, call);
          fact.accessors = accessMembers(policy as IPolicy);
        } catch (e) {
          fact.accessors = unverified(e, "secretmanager.secrets.getIamPolicy");
        }
      })(),
    ]);
    return fact;
  });

  // The runtime accounts still unknown need their project's number (default compute account).
  const numberless = [
    ...new Set(uses.filter((u) => !u.serviceAccount && !u.serviceProjectNumber).map((u) => u.serviceProject)),
  ].filter((p) => !projectNumbers[p] && allowProject(p));
  await mapBounded(numberless, concurrency, async (project) => {
    try {
      const [p] = await clients.projects.getProject({ name: `projects/${project}` }, call);
      const number = /^projects\/(\d+)$/.exec(String(p.name ?? ""))?.[1];
      if (number) projectNumbers[project] = number;
    } catch {
      // Unknown account: the verdict says so.
    }
  });

  // Project-level grants, read only where a secret's own policy does not settle it.
  const needProjectPolicy = new Set<string>();
  for (const u of uses) {
    const fact = facts.find((f) => f.project === u.project && f.secret === u.secret);
    const account = runtimeAccount(u, projectNumbers);
    if (
      fact?.exists === true &&
      account &&
      !(Array.isArray(fact.accessors) && fact.accessors.includes(`serviceAccount:${account}`))
    ) {
      needProjectPolicy.add(u.project);
    }
  }
  const projectPolicies = new Map<string, string[] | Unverified>();
  await mapBounded([...needProjectPolicy], concurrency, async (project) => {
    try {
      const [policy] = await clients.projects.getIamPolicy({ resource: `projects/${project}` }, call);
      projectPolicies.set(project, accessMembers(policy as IPolicy));
    } catch (e) {
      projectPolicies.set(project, unverified(e, "resourcemanager.projects.getIamPolicy"));
    }
  });
  for (const f of facts) if (projectPolicies.has(f.project)) f.projectAccessors = projectPolicies.get(f.project);
  return { facts, projectNumbers };
}

/**
 * The members of a policy's bindings to a role that reads secrets. A binding with a condition is listed with a `?`
 * prefix: whether it applies is not decided here.
 */
function accessMembers(policy: IPolicy): string[] {
  return (policy.bindings ?? []).flatMap((b) => {
    if (b.role === "roles/editor") return (b.members ?? []).map((m) => `editor:${m}`);
    if (!ACCESS_ROLES.includes(String(b.role))) return [];
    return (b.members ?? []).map((m) => (b.condition ? `?${m}` : m));
  });
}
