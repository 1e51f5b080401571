/**
 * A local stand-in for Secret Manager (secretmanager.googleapis.com, v1) and Resource Manager's Projects (v3), served
 * over plain-text gRPC on one port, built from the protos `@google-cloud/secret-manager` and
 * `@google-cloud/resource-manager` ship, so the real clients talk to it unchanged
 * (`createSecretManagerClients(address)` or `SECRET_MANAGER_EMULATOR_HOST`).
 *
 * Implemented: ListSecrets, GetSecret, GetSecretVersion (`latest` resolves to the newest version, as the real API
 * does), GetIamPolicy on a secret; Projects.GetProject and Projects.GetIamPolicy. Resource names in answers carry the
 * project number, as the real Secret Manager's do; requests may name a project by id or number. AccessSecretVersion is
 * recorded and refused: the app must never read a value. Every other RPC answers UNIMPLEMENTED.
 */
import { createRequire } from "node:module";
import * as protoLoader from "@grpc/proto-loader";
import gax from "google-gax";
import type { grpc as GrpcTypes } from "google-gax";
import { projectNumberFor } from "./cloud-run-fixtures.js";

const grpc = gax.grpc;
const require = createRequire(import.meta.url);

export type SecretManagerMethod =
  | "ListSecrets"
  | "GetSecret"
  | "GetSecretVersion"
  | "GetIamPolicy"
  | "AccessSecretVersion"
  | "GetProject"
  | "GetProjectIamPolicy";

export interface SecretManagerCall {
  method: SecretManagerMethod;
  request: Record<string, unknown>;
}

export interface Binding {
  role: string;
  members: string[];
  condition?: { expression: string; title: string };
}

export interface SecretSpec {
  project: string;
  name: string;
  /** Version states, oldest first (version 1 first). */
  versions?: ("ENABLED" | "DISABLED" | "DESTROYED")[];
  bindings?: Binding[];
}

export interface SecretManagerFault {
  method?: SecretManagerMethod;
  /** Resource name, parent or project the rule applies to (`projects/P` covers everything under it); omit = all. */
  name?: string;
  code: number;
  details: string;
}

export interface SecretManagerEmulator {
  address: string;
  calls: SecretManagerCall[];
  /** Declares a project (id -> number) and its IAM policy. */
  setProject(project: string, o?: { number?: string; bindings?: Binding[] }): void;
  setSecret(secret: SecretSpec): void;
  addFault(rule: SecretManagerFault): void;
  clearFaults(): void;
  /** Forgets every project, secret, fault and call. */
  reset(): void;
  close(): Promise<void>;
}

type GrpcError = { code: number; details: string };

function definitions() {
  const opts = { longs: String, enums: String, oneofs: true, defaults: false };
  const sm = grpc.loadPackageDefinition(
    protoLoader.fromJSON(require("@google-cloud/secret-manager/build/protos/protos.json"), opts),
  ) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  const rm = grpc.loadPackageDefinition(
    protoLoader.fromJSON(require("@google-cloud/resource-manager/build/protos/protos.json"), opts),
  ) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  return {
    secrets: sm.google.cloud.secretmanager.v1.SecretManagerService.service as GrpcTypes.ServiceDefinition,
    projects: rm.google.cloud.resourcemanager.v3.Projects.service as GrpcTypes.ServiceDefinition,
  };
}

export async function startSecretManagerEmulator(): Promise<SecretManagerEmulator> {
  const defs = definitions();
  const projects = new Map<string, { number: string; bindings: Binding[] }>();
  const secrets = new Map<string, SecretSpec>();
  let faults: SecretManagerFault[] = [];
  const server = new grpc.Server();
  const calls: SecretManagerCall[] = [];

  /** Project id or number -> [id, number], or undefined when unknown. */
  const project = (idOrNumber: string): [string, string] | undefined => {
    for (const [id, p] of projects) if (id === idOrNumber || p.number === idOrNumber) return [id, p.number];
    return undefined;
  };
  const fail = (code: number, details: string): GrpcError => ({ code, details });

  function unary(
    method: SecretManagerMethod,
    answer: (req: Record<string, unknown>) => unknown,
  ): GrpcTypes.handleUnaryCall<Record<string, unknown>, unknown> {
    return (call, callback) => {
      const req = call.request ?? {};
      calls.push({ method, request: structuredClone(req) });
      const target = String(req.name ?? req.parent ?? req.resource ?? "");
      const fault = faults.find(
        (f) =>
          (!f.method || f.method === method) &&
          (!f.name || target === f.name || target.startsWith(`${f.name}/`) || sameProject(f.name, target)),
      );
      if (fault) return callback(fail(fault.code, fault.details));
      try {
        callback(null, answer(req));
      } catch (error) {
        callback(
          (error as GrpcError).code !== undefined ? (error as GrpcError) : fail(grpc.status.INTERNAL, String(error)),
        );
      }
    };
  }

  /** A fault named `projects/ID` also covers requests that name the project by number. */
  function sameProject(ruleName: string, target: string): boolean {
    const rule = /^projects\/([^/]+)$/.exec(ruleName)?.[1];
    const asked = /^projects\/([^/]+)/.exec(target)?.[1];
    if (!rule || !asked) return false;
    const a = project(rule);
    const b = project(asked);
    return Boolean(a && b && a[0] === b[0]);
  }

  function secretOf(name: string): { spec: SecretSpec; id: string; number: string } {
    const m = /^projects\/([^/]+)\/secrets\/([^/]+)$/.exec(name);
    if (!m) throw fail(grpc.status.INVALID_ARGUMENT, `Invalid resource field value in the request: ${name}`);
    const p = project(m[1]);
    const spec = p && secrets.get(`${p[0]}/${m[2]}`);
    if (!p || !spec) throw fail(grpc.status.NOT_FOUND, `Secret [${name}] not found or has no versions.`);
    return { spec, id: p[0], number: p[1] };
  }

  const secretMessage = (s: SecretSpec, number: string) => ({
    name: `projects/${number}/secrets/${s.name}`,
    replication: { automatic: {} },
    createTime: { seconds: "1735689600", nanos: 0 },
    etag: `"${s.name}-etag"`,
  });
  const policy = (bindings: Binding[]) => ({ version: 1, etag: Buffer.from("BwYxyz"), bindings });

  const secretHandlers: Record<string, GrpcTypes.UntypedHandleCall> = {
    ListSecrets: unary("ListSecrets", (req) => {
      const m = /^projects\/([^/]+)$/.exec(String(req.parent ?? ""));
      const p = m && project(m[1]);
      if (!p)
        throw fail(
          grpc.status.PERMISSION_DENIED,
          `Permission 'secretmanager.secrets.list' denied for resource '${req.parent}' (or it may not exist).`,
        );
      const list = [...secrets.values()].filter((s) => s.project === p[0]).map((s) => secretMessage(s, p[1]));
      return { secrets: list, nextPageToken: "", totalSize: list.length };
    }),
    GetSecret: unary("GetSecret", (req) => {
      const { spec, number } = secretOf(String(req.name ?? ""));
      return secretMessage(spec, number);
    }),
    GetSecretVersion: unary("GetSecretVersion", (req) => {
      const m = /^(projects\/[^/]+\/secrets\/[^/]+)\/versions\/([^/]+)$/.exec(String(req.name ?? ""));
      if (!m) throw fail(grpc.status.INVALID_ARGUMENT, `Invalid resource field value in the request: ${req.name}`);
      const { spec, number } = secretOf(m[1]);
      const versions = spec.versions ?? [];
      const n = m[2] === "latest" ? versions.length : Number(m[2]);
      if (!Number.isInteger(n) || n < 1 || n > versions.length) {
        throw fail(
          grpc.status.NOT_FOUND,
          `Secret Version [projects/${number}/secrets/${spec.name}/versions/${m[2]}] not found.`,
        );
      }
      return {
        name: `projects/${number}/secrets/${spec.name}/versions/${n}`,
        state: versions[n - 1],
        createTime: { seconds: "1735689600", nanos: 0 },
      };
    }),
    GetIamPolicy: unary("GetIamPolicy", (req) => policy(secretOf(String(req.resource ?? "")).spec.bindings ?? [])),
    AccessSecretVersion: unary("AccessSecretVersion", () => {
      throw fail(grpc.status.PERMISSION_DENIED, "the Secret Manager emulator never hands out a secret value");
    }),
  };
  const projectHandlers: Record<string, GrpcTypes.UntypedHandleCall> = {
    GetProject: unary("GetProject", (req) => {
      const m = /^projects\/([^/]+)$/.exec(String(req.name ?? ""));
      const p = m && project(m[1]);
      if (!p) throw fail(grpc.status.PERMISSION_DENIED, `The caller does not have permission`);
      return { name: `projects/${p[1]}`, projectId: p[0], state: "ACTIVE", displayName: p[0] };
    }),
    GetIamPolicy: unary("GetProjectIamPolicy", (req) => {
      const m = /^projects\/([^/]+)$/.exec(String(req.resource ?? ""));
      const p = m && project(m[1]);
      if (!p) throw fail(grpc.status.PERMISSION_DENIED, `The caller does not have permission`);
      return policy(projects.get(p[0])!.bindings);
    }),
  };

  const withUnimplemented = (def: GrpcTypes.ServiceDefinition, handlers: Record<string, GrpcTypes.UntypedHandleCall>) =>
    Object.fromEntries(
      Object.keys(def).map((m) => [
        m,
        handlers[m] ??
          ((_call: unknown, callback: (e: GrpcError) => void) =>
            callback(fail(grpc.status.UNIMPLEMENTED, `${m} is not implemented by the Secret Manager emulator`))),
      ]),
    ) as GrpcTypes.UntypedServiceImplementation;
  server.addService(defs.secrets, withUnimplemented(defs.secrets, secretHandlers));
  server.addService(defs.projects, withUnimplemented(defs.projects, projectHandlers));

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  const setProject: SecretManagerEmulator["setProject"] = (id, o = {}) => {
    projects.set(id, {
      number: o.number ?? projects.get(id)?.number ?? projectNumberFor(id),
      bindings: o.bindings ?? [],
    });
  };
  return {
    address: `127.0.0.1:${port}`,
    calls,
    setProject,
    setSecret(secret) {
      if (!projects.has(secret.project)) setProject(secret.project);
      secrets.set(`${secret.project}/${secret.name}`, structuredClone(secret));
    },
    addFault(rule) {
      faults.push(rule);
    },
    clearFaults() {
      faults = [];
    },
    reset() {
      projects.clear();
      secrets.clear();
      faults = [];
      calls.length = 0;
    },
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
