/**
 * Every command the diagnosis tells a person to paste, built in one place so each follows the gcloud rule it cites
 * (`test/domain/diagnosis/gcloud-commands.test.ts` holds one row per kind of command). Pure: strings in, strings out.
 */
import type { ServiceTarget } from "./live-state.js";

/** Where a Cloud Run service lives, and (for a multi-container service) which container a change is for. */
export interface CommandTarget extends Pick<ServiceTarget, "project" | "region" | "service"> {
  /** Set for a service with several containers: the container whose variables change. */
  container?: string;
}

/** A Secret Manager reference as `--update-secrets` takes it. */
export interface SecretPointer {
  secret: string;
  version: string;
  /** The project that holds the secret, when it is not the service's own. */
  project?: string;
}

/**
 * `gcloud run services update S --project=P --region=R [--container=C] FLAGS`. gcloud applies the flags that follow
 * `--container=NAME` to that container, so container flags always come after it.
 */
export function updateService(t: CommandTarget, flags: string[]): string {
  const container = t.container ? [`--container=${t.container}`] : [];
  return [
    `gcloud run services update ${t.service} --project=${t.project} --region=${t.region}`,
    ...container,
    ...flags,
  ].join(" ");
}

/**
 * The value of `--update-secrets=KEY=VALUE`: `S:V` for a secret of the service's project, `projects/P/secrets/S:V`
 * for a secret in another project (a bare name would point at the service's project).
 */
export function secretValue(t: Pick<ServiceTarget, "project">, s: SecretPointer): string {
  return s.project && s.project !== t.project
    ? `projects/${s.project}/secrets/${s.secret}:${s.version}`
    : `${s.secret}:${s.version}`;
}

/** The `--update-secrets` flag that sets `key` (a variable, or a file path starting with `/`) from a secret. */
export function secretFlag(t: Pick<ServiceTarget, "project">, key: string, s: SecretPointer): string {
  return `--update-secrets=${key}=${secretValue(t, s)}`;
}

/** The `--update-env-vars` flag that sets a literal variable; `VALUE` is left for a person to fill in. */
export function literalFlag(name: string): string {
  return `--update-env-vars=${name}=VALUE`;
}

/** Sets (or replaces) a variable from a secret, or mounts a secret at a file path (a key starting with `/`). */
export function setSecret(t: CommandTarget, key: string, s: SecretPointer): string {
  return updateService(t, [secretFlag(t, key, s)]);
}

/** Sets (or replaces) a literal variable; `VALUE` is left for a person to fill in. */
export function setLiteral(t: CommandTarget, name: string): string {
  return updateService(t, [literalFlag(name)]);
}

/**
 * A variable that is a secret and must become a literal: gcloud applies env-var changes before secret changes and
 * refuses to change a variable's type in one command, so the secret is removed first, then the literal set.
 */
export function secretToLiteral(t: CommandTarget, name: string): string[] {
  return [updateService(t, [`--remove-secrets=${name}`]), setLiteral(t, name)];
}

/** A literal that must become a secret: the literal is removed first, then the secret set (same rule as above). */
export function literalToSecret(t: CommandTarget, name: string, s: SecretPointer): string[] {
  return [updateService(t, [`--remove-env-vars=${name}`]), setSecret(t, name, s)];
}

/**
 * A variable set under the wrong name (`near`) moved to `name`: different variables, so one command is accepted even
 * when their types differ.
 */
export function renameVariable(
  t: CommandTarget,
  near: { name: string; secret: boolean },
  name: string,
  s: SecretPointer,
): string {
  return updateService(t, [`--remove-${near.secret ? "secrets" : "env-vars"}=${near.name}`, secretFlag(t, name, s)]);
}

/** Sends all traffic to the latest ready revision, and to each later one (`--to-latest`). */
export function trafficToLatest(t: CommandTarget): string {
  return `gcloud run services update-traffic ${t.service} --project=${t.project} --region=${t.region} --to-latest`;
}

/** Sends all traffic to one named revision (`--to-revisions=REV=100`). */
export function trafficToRevision(t: CommandTarget, revision: string): string {
  return (
    `gcloud run services update-traffic ${t.service} --project=${t.project} --region=${t.region} ` +
    `--to-revisions=${revision}=100`
  );
}

/** Shows a revision's conditions; undefined when there is no revision name (gcloud needs one). */
export function describeRevision(t: CommandTarget, revision: string | undefined): string | undefined {
  return revision ? `gcloud run revisions describe ${revision} --project=${t.project} --region=${t.region}` : undefined;
}

/** Creates an empty secret (automatic replication); its value is added by `addSecretVersion`. */
export function createSecret(project: string, secret: string): string {
  return `gcloud secrets create ${secret} --project=${project} --replication-policy=automatic`;
}

/**
 * Adds a version read from standard input (`--data-file=-`): the person types or pipes the value; the app never
 * holds it.
 */
export function addSecretVersion(project: string, secret: string): string {
  return `gcloud secrets versions add ${secret} --project=${project} --data-file=-`;
}

/** Lets a runtime service account read one secret (the least role that does: Secret Accessor, on the secret). */
export function grantSecretAccess(project: string, secret: string, serviceAccount: string): string {
  return (
    `gcloud secrets add-iam-policy-binding ${secret} --project=${project} --member=serviceAccount:${serviceAccount} ` +
    `--role=roles/secretmanager.secretAccessor`
  );
}

/** Re-enables a disabled version (a destroyed one cannot be: add a new version instead). */
export function enableSecretVersion(project: string, secret: string, version: string): string {
  return `gcloud secrets versions enable ${version} --secret=${secret} --project=${project}`;
}

/** Grants the app's own service account a read-only role on a project. */
export function grantAppRole(project: string, role: string): string {
  return `gcloud projects add-iam-policy-binding ${project} --member=serviceAccount:SERVICE_ACCOUNT --role=${role}`;
}

/** Shows a service's conditions, to follow a rollout still in progress. */
export function describeServiceConditions(t: CommandTarget): string {
  return (
    `gcloud run services describe ${t.service} --project=${t.project} --region=${t.region} ` +
    '--format="value(status.conditions)"'
  );
}

/** A service as YAML: the shape of an offline snapshot file. */
export function describeServiceYaml(t: CommandTarget): string {
  return `gcloud run services describe ${t.service} --project=${t.project} --region=${t.region} --format yaml`;
}

/** A revision as YAML, to add to an offline snapshot file. */
export function describeRevisionYaml(t: Pick<ServiceTarget, "project" | "region">, revision: string): string {
  return `gcloud run revisions describe ${revision} --project=${t.project} --region=${t.region} --format yaml`;
}

/** The latest 50 log entries of a service (whose health check failed). */
export function readServiceLogs(t: CommandTarget): string {
  return `gcloud run services logs read ${t.service} --project=${t.project} --region=${t.region} --limit=50`;
}

/** The services of a project and region, to find the right name. */
export function listServices(project: string, region: string): string {
  return `gcloud run services list --project=${project} --region=${region}`;
}

/** Enables a Google API (by its service name, e.g. `run.googleapis.com`) in a project. */
export function enableApi(project: string, api: string): string {
  return `gcloud services enable ${api} --project=${project}`;
}

/** Signs in for Application Default Credentials on the host the app runs on. */
export function applicationDefaultLogin(): string {
  return "gcloud auth application-default login";
}
