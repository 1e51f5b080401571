/**
 * A local stand-in for the Cloud Run Admin API v2 (run.googleapis.com), served over plain-text gRPC.
 *
 * It is built from the protos that `@google-cloud/run` ships (`build/protos/protos.json`), so the real
 * `ServicesClient` / `RevisionsClient` talk to it unchanged: point them at `emulator.address` (for example with
 * `createCloudRunClients(emulator.address)` or `CLOUD_RUN_EMULATOR_HOST`).
 *
 * Implemented: Services.GetService, Services.ListServices, Revisions.GetRevision, Revisions.ListRevisions.
 * Every other RPC of those two services answers UNIMPLEMENTED.
 *
 * Messages are stored and answered in the proto JSON shape that protobufjs uses (camelCase field names, enums as
 * their string names, int64 as strings or numbers), e.g. what `buildService()` in `cloud-run-fixtures.ts` returns.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as protoLoader from "@grpc/proto-loader";
import gax from "google-gax";
import type { grpc as GrpcTypes } from "google-gax";
import type { protos } from "@google-cloud/run";

const grpc = gax.grpc;
const require = createRequire(import.meta.url);

export type ServiceMessage = protos.google.cloud.run.v2.IService;
export type RevisionMessage = protos.google.cloud.run.v2.IRevision;

/** gRPC status codes (the same object as `google-gax`'s `grpc.status`). */
export const GrpcStatus = grpc.status;

export interface EmulatorCall {
  method: "GetService" | "ListServices" | "GetRevision" | "ListRevisions";
  /** The decoded request (camelCase; fields left at their proto default are absent). */
  request: Record<string, unknown>;
}

export interface FaultRule {
  method?: EmulatorCall["method"];
  /**
   * Resource name or parent the rule applies to; omit = all. Matches when the request's `name` (or `parent`) equals
   * it or lies under it, path-segment-wise: `projects/acme-prod` covers `projects/acme-prod/locations/...` but not
   * `projects/acme-prod-2/...`.
   */
  name?: string;
  /** gRPC status code, e.g. `GrpcStatus.PERMISSION_DENIED` (7). */
  code: number;
  details: string;
  /** How many matching calls this rule answers; omit = forever. */
  times?: number;
  /**
   * Error details as Google sends them: a `google.rpc.Status` (code, message, details as `google.protobuf.Any`)
   * serialised into the `grpc-status-details-bin` trailer, which google-gax decodes into the error's `statusDetails`,
   * `reason`, `domain` and `errorInfoMetadata`. `errorInfo` becomes a `google.rpc.ErrorInfo`, `help` a
   * `google.rpc.Help`.
   */
  errorInfo?: { reason: string; domain: string; metadata?: Record<string, string> };
  help?: Array<{ description: string; url: string }>;
}

/**
 * The fault Google answers when the Cloud Run Admin API is disabled in a project (PERMISSION_DENIED with a
 * SERVICE_DISABLED ErrorInfo, then a Help link), for the project `projectNumber`, on every call under `name`.
 */
export function serviceDisabledFault(name: string, projectNumber: string): FaultRule {
  const overview = "https://console.developers.google.com/apis/api/run.googleapis.com/overview";
  const activationUrl = `${overview}?project=${projectNumber}`;
  return {
    name,
    code: GrpcStatus.PERMISSION_DENIED,
    details:
      `Cloud Run Admin API has not been used in project ${projectNumber} before or it is disabled. ` +
      `Enable it by visiting ${activationUrl} then retry. If you enabled this API recently, wait a few minutes for ` +
      "the action to propagate to our systems and retry.",
    errorInfo: {
      reason: "SERVICE_DISABLED",
      domain: "googleapis.com",
      metadata: {
        consumer: `projects/${projectNumber}`,
        service: "run.googleapis.com",
        serviceTitle: "Cloud Run Admin API",
        activationUrl,
        containerInfo: projectNumber,
      },
    },
    help: [{ description: "Google developers console API activation", url: activationUrl }],
  };
}

export interface CloudRunEmulator {
  /** "127.0.0.1:PORT": the value for CLOUD_RUN_EMULATOR_HOST. */
  address: string;
  port: number;
  /** Every call received, in order of arrival (recorded before latency and faults are applied). */
  calls: EmulatorCall[];
  /** Adds or replaces (by name) a service. */
  setService(service: ServiceMessage): void;
  removeService(name: string): void;
  /** Adds or replaces (by name) a revision. */
  setRevision(revision: RevisionMessage): void;
  removeRevision(name: string): void;
  /** Answers matching calls with this gRPC error. The first matching rule, in the order added, wins. */
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Delay before each answer (faults included), read at the time of each call. */
  latencyMs: number;
  /** Stops the server; calls still waiting out `latencyMs` are cancelled. */
  close(): Promise<void>;
}

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

const LOCATION_RE = /^projects\/([^/]+)\/locations\/([^/]+)$/;
const SERVICE_RE = /^projects\/([^/]+)\/locations\/([^/]+)\/services\/([^/]+)$/;
const REVISION_RE = /^projects\/([^/]+)\/locations\/([^/]+)\/services\/([^/]+)\/revisions\/([^/]+)$/;

type GrpcError = Partial<GrpcTypes.StatusObject> & { code: number; details: string };

class RpcError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(details);
  }
}

let statusTypes: { status: gax.protobuf.Type; any: gax.protobuf.Type; root: gax.protobuf.Root } | undefined;

/** The `grpc-status-details-bin` trailer of a fault with error details, as Google's servers send it. */
function statusDetails(fault: FaultRule): GrpcTypes.Metadata | undefined {
  if (!fault.errorInfo && !fault.help) return undefined;
  if (!statusTypes) {
    // google-gax's own copy of the google.rpc protos (not in its package exports: read by path).
    const file = join(dirname(require.resolve("google-gax")), "../protos/status.json");
    const root = gax.protobuf.Root.fromJSON(require(file));
    statusTypes = { root, status: root.lookupType("google.rpc.Status"), any: root.lookupType("google.protobuf.Any") };
  }
  const { root, status } = statusTypes;
  const pack = (type: string, value: object) => ({
    type_url: `type.googleapis.com/${type}`,
    value: root.lookupType(type).encode(value).finish(),
  });
  const info = fault.errorInfo;
  const details = [
    ...(info ? [pack("google.rpc.ErrorInfo", { ...info, metadata: info.metadata ?? {} })] : []),
    ...(fault.help ? [pack("google.rpc.Help", { links: fault.help })] : []),
  ];
  const metadata = new grpc.Metadata();
  const encoded = status.encode({ code: fault.code, message: fault.details, details }).finish();
  metadata.set("grpc-status-details-bin", Buffer.from(encoded));
  return metadata;
}

let cachedPackage: { services: GrpcTypes.ServiceDefinition; revisions: GrpcTypes.ServiceDefinition } | undefined;

function loadServiceDefinitions() {
  if (!cachedPackage) {
    const json = require("@google-cloud/run/build/protos/protos.json");
    const def = protoLoader.fromJSON(json, { longs: String, enums: String, oneofs: true, defaults: false });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const loaded = grpc.loadPackageDefinition(def) as any;
    const v2 = loaded.google.cloud.run.v2;
    cachedPackage = { services: v2.Services.service, revisions: v2.Revisions.service };
  }
  return cachedPackage;
}

export async function startCloudRunEmulator(
  opts: { services?: ServiceMessage[]; revisions?: RevisionMessage[]; latencyMs?: number } = {},
): Promise<CloudRunEmulator> {
  const definitions = loadServiceDefinitions();
  const services = new Map<string, ServiceMessage>();
  const revisions = new Map<string, RevisionMessage>();
  let faults: Array<FaultRule & { remaining: number }> = [];
  const timers = new Set<NodeJS.Timeout>();
  let pendingCalls = 0;
  const server = new grpc.Server();

  const emulator: CloudRunEmulator = {
    address: "",
    port: 0,
    calls: [],
    latencyMs: opts.latencyMs ?? 0,
    setService(service) {
      const name = service.name ?? "";
      if (!SERVICE_RE.test(name)) {
        throw new Error(`setService: name must be projects/P/locations/R/services/S, got "${name}"`);
      }
      services.set(name, structuredClone(service));
    },
    removeService(name) {
      services.delete(name);
    },
    setRevision(revision) {
      const name = revision.name ?? "";
      if (!REVISION_RE.test(name)) {
        throw new Error(`setRevision: name must be projects/P/locations/R/services/S/revisions/REV, got "${name}"`);
      }
      revisions.set(name, structuredClone(revision));
    },
    removeRevision(name) {
      revisions.delete(name);
    },
    addFault(rule) {
      faults.push({ ...rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
    },
    clearFaults() {
      faults = [];
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      if (pendingCalls > 0) {
        // Calls cancelled above would never finish, so a graceful shutdown would wait forever.
        server.forceShutdown();
        return;
      }
      await new Promise<void>((resolve) => {
        const fallback = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(fallback);
          resolve();
        });
      });
    },
  };

  for (const s of opts.services ?? []) emulator.setService(s);
  for (const r of opts.revisions ?? []) emulator.setRevision(r);

  function takeFault(method: EmulatorCall["method"], request: Record<string, unknown>): FaultRule | undefined {
    const target = String(request.name ?? request.parent ?? "");
    const index = faults.findIndex((rule) => {
      if (rule.method && rule.method !== method) return false;
      if (rule.name === undefined) return true;
      const prefix = rule.name.endsWith("/") ? rule.name : `${rule.name}/`;
      return target === rule.name || target.startsWith(prefix);
    });
    if (index < 0) return undefined;
    const rule = faults[index];
    rule.remaining -= 1;
    if (rule.remaining <= 0) faults.splice(index, 1);
    return rule;
  }

  function unary(
    method: EmulatorCall["method"],
    answer: (request: Record<string, unknown>) => unknown,
  ): GrpcTypes.handleUnaryCall<Record<string, unknown>, unknown> {
    return (call, callback) => {
      const request = call.request ?? {};
      emulator.calls.push({ method, request: structuredClone(request) });
      pendingCalls += 1;
      const respond = () => {
        pendingCalls -= 1;
        if (call.cancelled) return;
        const fault = takeFault(method, request);
        if (fault) {
          callback({ code: fault.code, details: fault.details, metadata: statusDetails(fault) } satisfies GrpcError);
          return;
        }
        try {
          callback(null, answer(request));
        } catch (err) {
          if (err instanceof RpcError) {
            callback({ code: err.code, details: err.details } satisfies GrpcError);
          } else {
            callback({ code: grpc.status.INTERNAL, details: `emulator error: ${String(err)}` } satisfies GrpcError);
          }
        }
      };
      const delay = emulator.latencyMs;
      if (delay > 0) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          respond();
        }, delay);
        timers.add(timer);
      } else {
        respond();
      }
    };
  }

  function unimplemented(serviceName: string, method: string): GrpcTypes.handleUnaryCall<unknown, unknown> {
    return (_call, callback) => {
      callback({
        code: grpc.status.UNIMPLEMENTED,
        details: `Method google.cloud.run.v2.${serviceName}.${method} is not implemented by the Cloud Run emulator`,
      } satisfies GrpcError);
    };
  }

  const serviceHandlers: Record<string, GrpcTypes.UntypedHandleCall> = {
    GetService: unary("GetService", (req) => {
      const name = requireName(req, "name", SERVICE_RE, "projects/{project}/locations/{location}/services/{service}");
      const service = services.get(name);
      if (!service) throw notFound(name, SERVICE_RE, "SERVICE");
      return service;
    }),
    ListServices: unary("ListServices", (req) => {
      const parent = requireName(req, "parent", LOCATION_RE, "projects/{project}/locations/{location}");
      const [, project, location] = LOCATION_RE.exec(parent)!;
      const items = [...services.values()].filter((s) => {
        const [, p, l] = SERVICE_RE.exec(s.name ?? "")!;
        return p === project && (location === "-" || l === location);
      });
      const page = paginate(items, req, parent);
      return { services: page.items, nextPageToken: page.nextPageToken, unreachable: [] };
    }),
  };

  const revisionHandlers: Record<string, GrpcTypes.UntypedHandleCall> = {
    GetRevision: unary("GetRevision", (req) => {
      const name = requireName(
        req,
        "name",
        REVISION_RE,
        "projects/{project}/locations/{location}/services/{service}/revisions/{revision}",
      );
      const revision = revisions.get(name);
      if (!revision) throw notFound(name, REVISION_RE, "REVISION");
      return revision;
    }),
    ListRevisions: unary("ListRevisions", (req) => {
      const parent = requireName(
        req,
        "parent",
        SERVICE_RE,
        "projects/{project}/locations/{location}/services/{service}",
      );
      const prefix = `${parent}/revisions/`;
      const items = [...revisions.values()].filter((r) => (r.name ?? "").startsWith(prefix));
      if (items.length === 0 && !services.has(parent)) throw notFound(parent, SERVICE_RE, "SERVICE");
      // Newest first, like the real API (revision names carry a zero-padded generation: svc-00002-xyz).
      const page = paginate(items, req, parent, "desc");
      return { revisions: page.items, nextPageToken: page.nextPageToken };
    }),
  };

  server.addService(definitions.services, withUnimplemented("Services", definitions.services, serviceHandlers));
  server.addService(definitions.revisions, withUnimplemented("Revisions", definitions.revisions, revisionHandlers));

  function withUnimplemented(
    serviceName: string,
    definition: GrpcTypes.ServiceDefinition,
    handlers: Record<string, GrpcTypes.UntypedHandleCall>,
  ): GrpcTypes.UntypedServiceImplementation {
    const impl: GrpcTypes.UntypedServiceImplementation = {};
    for (const method of Object.keys(definition)) {
      impl[method] = handlers[method] ?? unimplemented(serviceName, method);
    }
    return impl;
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, boundPort) =>
      err ? reject(err) : resolve(boundPort),
    );
  });
  emulator.port = port;
  emulator.address = `127.0.0.1:${port}`;
  return emulator;
}

function requireName(req: Record<string, unknown>, field: "name" | "parent", pattern: RegExp, format: string): string {
  const value = typeof req[field] === "string" ? (req[field] as string) : "";
  if (!value) {
    throw new RpcError(
      grpc.status.INVALID_ARGUMENT,
      `Required field "${field}" is missing. Expected format: ${format}`,
    );
  }
  if (!pattern.test(value)) {
    throw new RpcError(grpc.status.INVALID_ARGUMENT, `Invalid resource name "${value}". Expected format: ${format}`);
  }
  return value;
}

/** The message the real API gives for a missing resource. */
function notFound(name: string, pattern: RegExp, kind: "SERVICE" | "REVISION"): RpcError {
  const m = pattern.exec(name)!;
  const [project, location] = [m[1], m[2]];
  const id = kind === "SERVICE" ? m[3] : m[4];
  return new RpcError(
    grpc.status.NOT_FOUND,
    `Resource '${id}' of kind '${kind}' in region '${location}' in project '${project}' does not exist.`,
  );
}

interface PageToken {
  parent: string;
  after: string;
}

/** Keyset pagination over items sorted by name: the token carries the last name returned, so it survives edits. */
function paginate<T extends { name?: string | null }>(
  all: T[],
  req: Record<string, unknown>,
  parent: string,
  order: "asc" | "desc" = "asc",
): { items: T[]; nextPageToken: string } {
  const pageSizeRaw = Number(req.pageSize ?? 0);
  if (!Number.isInteger(pageSizeRaw) || pageSizeRaw < 0) {
    throw new RpcError(grpc.status.INVALID_ARGUMENT, `page_size must be non-negative, got ${String(req.pageSize)}`);
  }
  const pageSize = Math.min(pageSizeRaw || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const sign = order === "asc" ? 1 : -1;
  const sorted = [...all].sort((a, b) => sign * compare(a.name ?? "", b.name ?? ""));
  let start = 0;
  const rawToken = typeof req.pageToken === "string" ? req.pageToken : "";
  if (rawToken) {
    let token: PageToken | undefined;
    try {
      token = JSON.parse(Buffer.from(rawToken, "base64url").toString("utf8")) as PageToken;
    } catch {
      token = undefined;
    }
    if (!token || token.parent !== parent || typeof token.after !== "string") {
      throw new RpcError(grpc.status.INVALID_ARGUMENT, `Invalid page token "${rawToken}".`);
    }
    const after = token.after;
    start = sorted.findIndex((item) => sign * compare(item.name ?? "", after) > 0);
    if (start < 0) start = sorted.length;
  }
  const items = sorted.slice(start, start + pageSize);
  const hasMore = start + pageSize < sorted.length;
  const nextPageToken = hasMore
    ? Buffer.from(JSON.stringify({ parent, after: items[items.length - 1].name ?? "" } satisfies PageToken)).toString(
        "base64url",
      )
    : "";
  return { items, nextPageToken };
}

/** Plain code-unit order (not locale-dependent), so pages are stable everywhere. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
