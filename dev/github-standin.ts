/**
 * A GitHub stand-in: a plain `node:http` server on loopback that plays the parts of the GitHub REST API a
 * triage app uses (issues, comments, labels, sub-issues, reactions, contents, collaborator permissions,
 * installation tokens), keeps issues and comments in memory, and checks every request against GitHub's own
 * OpenAPI description (`@octokit/openapi`, api.github.com).
 *
 * - Probot reaches it with `GHE_HOST=<standIn.host> GHE_PROTOCOL=http` (requests arrive under `/api/v3`);
 *   Octokit reaches it with `baseUrl: standIn.url`. Both prefixes are accepted. GraphQL: `/api/graphql`, `/graphql`,
 *   answered by graphql-js on GitHub's published schema (`github-standin-graphql.ts`), over the same state.
 * - A request the description would reject (unknown path or method, missing or mistyped path/query parameter,
 *   JSON body not matching the request-body schema) is recorded in `violations` and answered like GitHub:
 *   404 for an unknown route, 422 `{ message: "Validation Failed", errors }` for bad input.
 * - Every 2xx JSON answer of the stand-in is itself checked against the documented response schema; a mismatch
 *   is a bug in the stand-in and lands in `responseViolations` (kept separate from the app's `violations`).
 * - Who is calling: installation tokens minted by `POST /app/installations/{id}/access_tokens` and any unknown
 *   token (or none) act as the app's bot `${appSlug}[bot]`; `Authorization: token user:<login>` acts as that user.
 * - Ids are of today's sizes and node ids in GitHub's current format (`github-ids.ts`): issue and comment ids past
 *   3.5 billion, labels past 2^32, repositories past 1 billion, `I_kwDO…` node ids. Each kind has a range of its own,
 *   so mixing up an issue's `id` and its `number` (e.g. for `sub_issue_id`) fails loudly, and a client that squeezes
 *   an id into 32 bits (GraphQL's `databaseId`) fails as it would on github.com.
 */
import http from "node:http";
import { createHash, randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { ExecError, executeGraphQL, type GraphQLHost } from "./github-standin-graphql.js";
import { nodeId } from "./github-ids.js";
import {
  type Actor,
  GitHubError as HttpError,
  GitHubWorld,
  MAX_BODY,
  nowIso,
  REACTIONS,
  type RepoState,
  type StandInAppRef,
  type StandInComment,
  type StandInIssue,
  type StandInReaction,
  type StandInUserRef,
  type AddRepoOptions,
  type MilestoneState,
} from "./github-world.js";

export type {
  AddRepoOptions,
  LabelState,
  MilestoneState,
  ReactionContent,
  RepoState,
  Role,
  StandInAppRef,
  StandInComment,
  StandInIssue,
  StandInReaction,
  StandInUserRef,
} from "./github-world.js";

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------------------------

export interface RecordedRequest {
  method: string;
  /** Path without the `/api/v3` prefix and without the query, percent-decoded (`.github%2Fx.yml` → `.github/x.yml`). */
  path: string;
  /** The same path exactly as sent (still percent-encoded). */
  rawPath: string;
  query: Record<string, string>;
  body: unknown;
  /** Status of the answer; 0 while the request is still being answered, -1 when a fault dropped the connection. */
  status: number;
  /** Date.now() when the request arrived. */
  at: number;
  /** The OpenAPI operationId it matched (`issues/create`, ...), `graphql`, or undefined when nothing matched. */
  operationId?: string;
  /** Lower-cased request headers (authorization included). */
  headers: Record<string, string>;
}

/**
 * A fault injected into the answers of matching requests. The request always takes effect first (a POST creates, a
 * GraphQL mutation runs) and only the answer is replaced: the worst case for a client, which is told a write failed
 * that in fact happened, so a blind retry posts twice. With `status`, that status is answered; with `drop`, the
 * connection is destroyed without an answer; with `delayMs`, the answer (faulty or not) is held that long first (a
 * slow or hung GitHub).
 */
export interface FaultRule {
  /** Only this method (case-insensitive); any when omitted. */
  method?: string;
  /** Tested against the path without `/api/v3` and query, both as sent and percent-decoded; any when omitted. */
  path?: RegExp;
  /** Tested against the request body as JSON text, e.g. `/mutation ConfigTriageFollowUps/` for one GraphQL document. */
  bodyMatches?: RegExp;
  /** Answer this status instead of the real answer. */
  status?: number;
  /** Destroy the connection instead of answering. */
  drop?: boolean;
  /** Hold the answer this long first. */
  delayMs?: number;
  /**
   * The request does not take effect: GitHub failed before running it (a 502 from its front end, a mutation that never
   * ran). Answered at once with `status` (or dropped with `drop`), before anything is written.
   */
  before?: boolean;
  /** How many matching requests get the fault; default 1. Use Infinity for "always". */
  times?: number;
  headers?: Record<string, string>;
  /** Answer body; by default a GitHub-like `{ message, documentation_url }` (a "secondary rate limit" message for
   * 403/429 with `retry-after`). */
  body?: unknown;
}

export interface GitHubStandIn {
  /** "http://127.0.0.1:PORT" (Octokit baseUrl; `/api/v3` is accepted too). */
  url: string;
  /** "127.0.0.1:PORT", the value for GHE_HOST (with GHE_PROTOCOL=http). */
  host: string;
  requests: RecordedRequest[];
  /** Every request that GitHub's OpenAPI description (or a hard GitHub limit) would reject, as readable strings. */
  violations: string[];
  /** Answers of the stand-in that do not match the documented response schema (bugs in the stand-in). */
  responseViolations: string[];
  /** Requests for operations GitHub has but the stand-in does not implement (answered 404, not violations). */
  unimplemented: string[];
  /** Delay before each answer. */
  latencyMs: number;
  /** Highest number of requests in flight at once (GitHub allows at most 100 concurrent requests). */
  maxConcurrent: number;
  readonly appId: number;
  readonly appSlug: string;
  /** `${appSlug}[bot]` */
  readonly botLogin: string;
  addRepo(fullName: string, opts?: AddRepoOptions): void;
  addIssue(fullName: string, issue: Partial<StandInIssue> & { title: string }): StandInIssue;
  addComment(
    fullName: string,
    issueNumber: number,
    comment: Partial<StandInComment> & { body: string },
  ): StandInComment;
  /** A milestone in the repository (GraphQL `milestoneId` takes its node id); numbered from 1. */
  addMilestone(
    fullName: string,
    milestone: { title: string; description?: string; state?: "open" | "closed"; due_on?: string },
  ): MilestoneState;
  /** The repository as the stand-in holds it (ids, labels, milestones, issues). */
  repo(fullName: string): RepoState | undefined;
  issue(fullName: string, number: number): StandInIssue | undefined;
  issues(fullName: string): StandInIssue[];
  /**
   * Moves an issue to another repository as GitHub's transfer does: it keeps its id, node id, comments and sub-issue
   * links, and takes the next number there (its old number is not reused).
   */
  transferIssue(fromFullName: string, number: number, toFullName: string): StandInIssue;
  /** Write (or with null, delete) a file on the default branch. */
  setFile(fullName: string, path: string, text: string | null): void;
  fault(rule: FaultRule): void;
  close(): Promise<void>;
}

export interface StartOptions {
  latencyMs?: number;
  appId?: number;
  appSlug?: string;
  port?: number;
  /** Check the stand-in's own answers against the response schemas (default true). */
  checkResponses?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// OpenAPI description: routes, parameters, lazily compiled validators (shared by all stand-ins in a process)
// ---------------------------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type SchemaObj = Record<string, unknown>;

interface ParamSpec {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required: boolean;
  schema: SchemaObj;
}

interface Operation {
  method: string;
  template: string;
  operationId: string;
  docUrl: string;
  params: ParamSpec[];
  bodySchema?: SchemaObj;
  bodyRequired: boolean;
  responses: Record<string, unknown>;
  // lazily compiled
  pathValidator?: ValidateFunction;
  queryValidator?: ValidateFunction;
  bodyValidator?: ValidateFunction | null;
  responseValidators: Map<string, ValidateFunction | null>;
}

interface Route {
  template: string;
  regex: RegExp;
  names: string[];
  score: number[];
  literalLen: number;
  /** the last segment is a multi-segment parameter that may be left out together with its slash */
  optionalTail: boolean;
  ops: Map<string, Operation>;
}

interface Spec {
  routes: Route[];
  ajv: Ajv;
  components: {
    schemas: Record<string, SchemaObj>;
    parameters: Record<string, SchemaObj>;
    responses: Record<string, SchemaObj>;
  };
}

const COMPONENTS_ID = "https://github-standin.invalid/components.json";
let specCache: Spec | undefined;

/**
 * OpenAPI 3.0 → JSON Schema for Ajv:
 * - `nullable: true` → add "null" to `type` (and to `enum`), or wrap in `anyOf [.., {type: null}]` when there is no
 *   `type` (Ajv refuses `nullable` without `type`, and GitHub uses `nullable` next to bare `oneOf`s);
 * - `$ref: "#/components/..."` → absolute ref into the components document registered with Ajv;
 * - `oneOf` → `anyOf`: GitHub's alternatives are often loose (objects without `required`), so a value can match
 *   two of them and fail "exactly one" although GitHub takes it (e.g. `PUT .../labels` with `{}`).
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== "object") return node;
  const src = node as SchemaObj;
  const out: SchemaObj = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === "nullable" && typeof v === "boolean") continue;
    if (k === "example" || k === "examples") continue;
    if (k === "oneOf" && Array.isArray(v) && !("anyOf" in src)) {
      out.anyOf = toJsonSchema(v);
      continue;
    }
    if (k === "$ref" && typeof v === "string" && v.startsWith("#/")) {
      out[k] = COMPONENTS_ID + v;
      continue;
    }
    out[k] = toJsonSchema(v);
  }
  if (src.nullable === true) {
    if (typeof out.type === "string") {
      out.type = [out.type, "null"];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
      return out;
    }
    if (Array.isArray(out.type)) {
      if (!out.type.includes("null")) out.type = [...out.type, "null"];
      return out;
    }
    return { anyOf: [out, { type: "null" }] };
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function loadSpec(): Spec {
  if (specCache) return specCache;
  // Never import the package root: it loads every description (~385 MB).
  const doc = require("@octokit/openapi/generated/api.github.com.json") as {
    paths: Record<string, Record<string, SchemaObj>>;
    components: Spec["components"];
  };
  const components = doc.components;
  const resolveParam = (p: SchemaObj): SchemaObj =>
    typeof p.$ref === "string" ? components.parameters[p.$ref.split("/").pop() as string] : p;

  const routes: Route[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    const ops = new Map<string, Operation>();
    const multi = new Set<string>();
    for (const [method, raw] of Object.entries(item)) {
      if (!["get", "put", "post", "delete", "patch", "head", "options"].includes(method)) continue;
      const params = ((raw.parameters as SchemaObj[] | undefined) ?? []).map(resolveParam).map((p) => {
        if (p["x-multi-segment"]) multi.add(p.name as string);
        return {
          name: p.name as string,
          in: p.in as ParamSpec["in"],
          required: p.required === true,
          schema: (p.schema as SchemaObj | undefined) ?? {},
        };
      });
      const rb = raw.requestBody as
        | { required?: boolean; content?: Record<string, { schema?: SchemaObj }> }
        | undefined;
      ops.set(method.toUpperCase(), {
        method: method.toUpperCase(),
        template,
        operationId: raw.operationId as string,
        docUrl: (raw.externalDocs as { url?: string } | undefined)?.url ?? "https://docs.github.com/rest",
        params,
        bodySchema: rb?.content?.["application/json"]?.schema,
        bodyRequired: rb?.required === true,
        responses: (raw.responses as Record<string, unknown>) ?? {},
        responseValidators: new Map(),
      });
    }
    const names: string[] = [];
    const score: number[] = [];
    let literalLen = 0;
    const segs = template
      .split("/")
      .slice(1)
      .map((seg) => {
        let kind = 2; // 2 literal, 1 single-segment parameter, 0 multi-segment parameter
        const re = seg.replace(/\{([^}]+)\}|([^{]+)/g, (_m, name: string | undefined, lit: string | undefined) => {
          if (name) {
            names.push(name);
            if (multi.has(name)) {
              kind = 0;
              return "(.*)";
            }
            kind = Math.min(kind, 1);
            return "([^/]+)";
          }
          literalLen += (lit as string).length;
          return escapeRegExp(lit as string);
        });
        score.push(kind);
        return re;
      });
    // A trailing multi-segment parameter may be empty *with* its slash: Octokit sends `GET /repos/o/r/contents` for
    // path "" (it drops the trailing slash) and GitHub answers with the root listing, though the description has no
    // such path.
    const optionalTail = segs.length > 1 && segs[segs.length - 1] === "(.*)";
    const source = optionalTail ? `^/${segs.slice(0, -1).join("/")}(?:/(.*))?$` : `^/${segs.join("/")}$`;
    routes.push({ template, regex: new RegExp(source), names, score, literalLen, optionalTail, ops });
  }

  const ajv = new Ajv({ strict: false, validateSchema: false, allErrors: false, logger: false, addUsedSchema: false });
  const addFormats = ((addFormatsModule as unknown as { default?: (a: Ajv) => Ajv }).default ??
    (addFormatsModule as unknown as (a: Ajv) => Ajv)) as (a: Ajv) => Ajv;
  addFormats(ajv);
  // OpenAPI/GitHub formats that carry no constraint worth checking here.
  for (const f of ["int32", "int64", "float", "double", "byte", "binary", "password", "repo.nwo"])
    ajv.addFormat(f, true);
  // Only `schemas` is referenced from request/response schemas; examples and responses stay out.
  ajv.addSchema({ $id: COMPONENTS_ID, components: { schemas: toJsonSchema(components.schemas) } } as SchemaObj);

  specCache = { routes, ajv, components };
  return specCache;
}

interface Candidate {
  route: Route;
  m: RegExpExecArray;
  /** segment kinds that took part in the match (an absent optional trailing parameter does not count) */
  score: number[];
  absentTail: boolean;
}

/** Most specific first: literal segments beat parameters, single-segment parameters beat multi-segment ones. */
function compareCandidates(a: Candidate, b: Candidate): number {
  const n = Math.min(a.score.length, b.score.length);
  for (let i = 0; i < n; i++) if (a.score[i] !== b.score[i]) return b.score[i] - a.score[i];
  // Same prefix: the longer template is more specific (`/branches/{branch}/protection` vs `/branches/{branch}`
  // whose multi-segment `{branch}` would swallow "x/protection").
  if (a.score.length !== b.score.length) return b.score.length - a.score.length;
  // `/branches` vs `/branches/{branch}` matched without its optional trailing parameter: the exact one wins.
  if (a.absentTail !== b.absentTail) return a.absentTail ? 1 : -1;
  return b.route.literalLen - a.route.literalLen;
}

interface Match {
  route: Route;
  op: Operation;
  /** percent-decoded path parameters */
  params: Record<string, string>;
}

function matchRoute(spec: Spec, method: string, rawPath: string): { match?: Match; knownMethods?: string[] } {
  const candidates: Candidate[] = [];
  for (const route of spec.routes) {
    const m = route.regex.exec(rawPath);
    if (!m) continue;
    const absentTail = route.optionalTail && m[m.length - 1] === undefined;
    candidates.push({ route, m, absentTail, score: absentTail ? route.score.slice(0, -1) : route.score });
  }
  if (candidates.length === 0) return {};
  const withMethod = candidates.filter((c) => c.route.ops.has(method));
  if (withMethod.length === 0) {
    return { knownMethods: [...new Set(candidates.flatMap((c) => [...c.route.ops.keys()]))] };
  }
  withMethod.sort(compareCandidates);
  const best = withMethod[0];
  const params: Record<string, string> = {};
  best.route.names.forEach((name, i) => {
    params[name] = safeDecode(best.m[i + 1] ?? "");
  });
  return { match: { route: best.route, op: best.route.ops.get(method) as Operation, params } };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

interface Problem {
  where: "path" | "query" | "body";
  field: string;
  code: "missing_field" | "invalid" | "custom";
  text: string;
}

function typeName(t: unknown): string {
  return Array.isArray(t) ? t.join(" or ") : String(t).split(",").join(" or ");
}

/** Ajv errors → readable problems, e.g. "body/title is required", "body/sub_issue_id must be integer". */
function ajvProblems(where: Problem["where"], errors: ErrorObject[] | null | undefined): Problem[] {
  if (!errors?.length) return [];
  const out: Problem[] = [];
  const alternatives = errors.filter((e) => e.keyword === "oneOf" || e.keyword === "anyOf");
  const isBranchError = (e: ErrorObject) =>
    alternatives.some((a) => a !== e && e.schemaPath.startsWith(`${a.schemaPath}/`));
  for (const e of errors) {
    const loc = where + e.instancePath;
    const field = e.instancePath.replace(/^\//, "");
    if (isBranchError(e)) continue;
    if (e.keyword === "oneOf" || e.keyword === "anyOf") {
      const branches = errors.filter((b) => b.schemaPath.startsWith(`${e.schemaPath}/`));
      const direct = branches.filter((b) => b.instancePath === e.instancePath && b.keyword === "type");
      if (branches.length > 0 && direct.length === branches.length) {
        out.push({
          where,
          field,
          code: "invalid",
          text: `${loc} must be ${[...new Set(direct.map((b) => typeName(b.params.type)))].join(" or ")}`,
        });
      } else if (branches.length > 0) {
        const sub = ajvProblems(where, branches).map((p) => p.text);
        out.push({
          where,
          field,
          code: "invalid",
          text: `${loc} matches none of the allowed shapes (${[...new Set(sub)].join(" | ")})`,
        });
      } else {
        out.push({ where, field, code: "invalid", text: `${loc} ${e.message ?? "is invalid"}` });
      }
      continue;
    }
    switch (e.keyword) {
      case "required": {
        const missing = (e.params as { missingProperty: string }).missingProperty;
        out.push({
          where,
          field: field ? `${field}/${missing}` : missing,
          code: "missing_field",
          text: `${loc}/${missing} is required`,
        });
        break;
      }
      case "additionalProperties": {
        const extra = (e.params as { additionalProperty: string }).additionalProperty;
        out.push({
          where,
          field: field ? `${field}/${extra}` : extra,
          code: "invalid",
          text: `${loc}/${extra} is not a permitted key`,
        });
        break;
      }
      case "enum": {
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues ?? [];
        out.push({
          where,
          field,
          code: "invalid",
          text: `${loc} must be one of: ${allowed.map((v) => JSON.stringify(v)).join(", ")}`,
        });
        break;
      }
      case "type":
        out.push({
          where,
          field,
          code: "invalid",
          text: `${loc} must be ${typeName((e.params as { type: unknown }).type)}`,
        });
        break;
      default:
        out.push({ where, field, code: "invalid", text: `${loc} ${e.message ?? "is invalid"}` });
    }
  }
  return out;
}

function firstType(schema: SchemaObj, spec: Spec): string | undefined {
  let s = schema;
  if (typeof s.$ref === "string") s = spec.components.schemas[s.$ref.split("/").pop() as string] ?? {};
  const t = s.type;
  if (typeof t === "string") return t;
  if (Array.isArray(t)) return t.find((x) => x !== "null") as string | undefined;
  return undefined;
}

/** Query and path values arrive as strings: coerce them the way GitHub reads them before checking types. */
function coerce(value: string, schema: SchemaObj, spec: Spec): unknown {
  const t = firstType(schema, spec);
  if (t === "integer" || t === "number") return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  if (t === "boolean") return value === "true" ? true : value === "false" ? false : value;
  if (t === "array") {
    const items = (schema.items as SchemaObj | undefined) ?? {};
    return value.split(",").map((v) => coerce(v, items, spec));
  }
  return value;
}

function paramValidator(spec: Spec, op: Operation, where: "path" | "query"): ValidateFunction {
  const key = where === "path" ? "pathValidator" : "queryValidator";
  const cached = op[key];
  if (cached) return cached;
  const properties: SchemaObj = {};
  const required: string[] = [];
  for (const p of op.params) {
    if (p.in !== where) continue;
    properties[p.name] = toJsonSchema(p.schema);
    if (p.required) required.push(p.name);
  }
  const fn = spec.ajv.compile({ type: "object", properties, required });
  op[key] = fn;
  return fn;
}

function validateRequest(
  spec: Spec,
  op: Operation,
  pathParams: Record<string, string>,
  query: Record<string, string>,
  body: unknown,
): Problem[] {
  const problems: Problem[] = [];
  for (const where of ["path", "query"] as const) {
    const values: Record<string, unknown> = {};
    const src = where === "path" ? pathParams : query;
    for (const p of op.params) {
      if (p.in !== where || !(p.name in src)) continue;
      values[p.name] = coerce(src[p.name], p.schema, spec);
    }
    const fn = paramValidator(spec, op, where);
    if (!fn(values)) problems.push(...ajvProblems(where, fn.errors));
  }
  if (op.bodySchema) {
    if (op.bodyValidator === undefined) op.bodyValidator = spec.ajv.compile(toJsonSchema(op.bodySchema) as SchemaObj);
    const fn = op.bodyValidator as ValidateFunction;
    let subject = body;
    if (subject === undefined && op.bodyRequired) {
      // Octokit sends no body when no body parameter was given: judge it as an empty object.
      subject = firstType(op.bodySchema, spec) === "object" || op.bodySchema.properties ? {} : undefined;
      if (subject === undefined)
        problems.push({ where: "body", field: "", code: "missing_field", text: "body is required" });
    }
    if (subject !== undefined && !fn(subject)) problems.push(...ajvProblems("body", fn.errors));
  }
  return problems;
}

function responseValidator(spec: Spec, op: Operation, status: number): ValidateFunction | null {
  const key = String(status);
  if (op.responseValidators.has(key)) return op.responseValidators.get(key) as ValidateFunction | null;
  let resp = op.responses[key] as SchemaObj | undefined;
  if (resp && typeof resp.$ref === "string") resp = spec.components.responses[resp.$ref.split("/").pop() as string];
  const schema = (resp?.content as Record<string, { schema?: SchemaObj }> | undefined)?.["application/json"]?.schema;
  const fn = schema ? spec.ajv.compile(toJsonSchema(schema) as SchemaObj) : null;
  op.responseValidators.set(key, fn);
  return fn;
}

// ---------------------------------------------------------------------------------------------------------------
// In-memory GitHub
// ---------------------------------------------------------------------------------------------------------------

interface Ctx {
  method: string;
  op: Operation;
  params: Record<string, string>;
  query: Record<string, string>;
  body: Record<string, unknown>;
  actor: Actor;
  req: http.IncomingMessage;
  prefix: string;
  rawPath: string;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Answer with this text instead of JSON. */
  raw?: string;
}

function gitBlobSha(text: string): string {
  const buf = Buffer.from(text, "utf8");
  return createHash("sha1").update(`blob ${buf.length}\0`).update(buf).digest("hex");
}

function base64Wrapped(text: string): string {
  const b64 = Buffer.from(text, "utf8").toString("base64");
  return `${(b64.match(/.{1,60}/g) ?? [""]).join("\n")}\n`;
}

function sleep(ms: number, timers: Set<NodeJS.Timeout>): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      timers.delete(t);
      resolve();
    }, ms);
    timers.add(t);
  });
}

class StandIn extends GitHubWorld implements GitHubStandIn {
  url = "";
  host = "";
  requests: RecordedRequest[] = [];
  responseViolations: string[] = [];
  unimplemented: string[] = [];
  latencyMs: number;
  maxConcurrent = 0;

  private server!: http.Server;
  private readonly spec: Spec;
  private readonly checkResponses: boolean;
  private readonly tokens = new Map<string, Actor>();
  private readonly faults: Array<FaultRule & { left: number }> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private requestCount = 0;

  constructor(spec: Spec, opts: StartOptions) {
    super(opts);
    this.spec = spec;
    this.latencyMs = opts.latencyMs ?? 0;
    this.checkResponses = opts.checkResponses ?? true;
  }

  async listen(port: number): Promise<void> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.violations.push(`internal stand-in error: ${(err as Error)?.stack ?? String(err)}`);
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "application/json; charset=utf-8" });
          res.end(JSON.stringify({ message: "stand-in internal error" }));
        }
      });
    });
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    this.host = `127.0.0.1:${addr.port}`;
    this.url = `http://${this.host}`;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  fault(rule: FaultRule): void {
    this.faults.push({ ...rule, left: rule.times ?? 1 });
  }

  // ----- JSON shapes -----

  private get api(): string {
    return `${this.url}/api/v3`;
  }

  private userJson(ref: StandInUserRef): Record<string, unknown> {
    const id = this.userId(ref.login);
    const enc = encodeURIComponent(ref.login);
    const u = `${this.api}/users/${enc}`;
    return {
      login: ref.login,
      id,
      node_id: nodeId(ref.type === "Bot" ? "BOT" : "U", id),
      avatar_url: `${this.url}/avatars/u/${id}?v=4`,
      gravatar_id: "",
      url: u,
      html_url: ref.type === "Bot" ? `${this.url}/apps/${enc.replace(/%5Bbot%5D$/i, "")}` : `${this.url}/${enc}`,
      followers_url: `${u}/followers`,
      following_url: `${u}/following{/other_user}`,
      gists_url: `${u}/gists{/gist_id}`,
      starred_url: `${u}/starred{/owner}{/repo}`,
      subscriptions_url: `${u}/subscriptions`,
      organizations_url: `${u}/orgs`,
      repos_url: `${u}/repos`,
      events_url: `${u}/events{/privacy}`,
      received_events_url: `${u}/received_events`,
      type: ref.type,
      user_view_type: "public",
      site_admin: false,
    };
  }

  private appJson(app: StandInAppRef): Record<string, unknown> {
    return {
      id: app.id,
      slug: app.slug,
      node_id: nodeId("A", app.id),
      client_id: `Iv1.standin${app.id}`,
      owner: this.userJson({ login: `${app.slug}-owner`, type: "User" }),
      name: app.slug,
      description: `${app.slug} (GitHub stand-in)`,
      external_url: `${this.url}/apps/${app.slug}/external`,
      html_url: `${this.url}/apps/${app.slug}`,
      created_at: this.startedAt,
      updated_at: this.startedAt,
      permissions: { issues: "write", contents: "read", metadata: "read" },
      events: ["issues", "issue_comment"],
    };
  }

  private labelJson(repo: RepoState, name: string): Record<string, unknown> {
    const l = this.ensureLabel(repo, name);
    return {
      id: l.id,
      node_id: l.node_id,
      url: `${this.api}/repos/${repo.fullName}/labels/${encodeURIComponent(l.name)}`,
      name: l.name,
      description: l.description,
      color: l.color,
      default: false,
    };
  }

  private rollup(url: string, reactions: StandInReaction[]): Record<string, unknown> {
    const r: Record<string, unknown> = { url: `${url}/reactions`, total_count: reactions.length };
    for (const c of REACTIONS) r[c] = reactions.filter((x) => x.content === c).length;
    return r;
  }

  private association(repo: RepoState, login: string): string {
    if (login.toLowerCase() === repo.owner.toLowerCase()) return "OWNER";
    if (repo.collaborators.has(login.toLowerCase())) return "COLLABORATOR";
    return "NONE";
  }

  private milestoneJson(repo: RepoState, number: number | null | undefined): Record<string, unknown> | null {
    const m = repo.milestones.find((x) => x.number === number);
    if (!m) return null;
    const url = `${this.api}/repos/${repo.fullName}/milestones/${m.number}`;
    const inIt = repo.issues.filter((i) => i.milestone === m.number);
    return {
      url,
      html_url: `${this.url}/${repo.fullName}/milestone/${m.number}`,
      labels_url: `${url}/labels`,
      id: m.id,
      node_id: m.node_id,
      number: m.number,
      state: m.state,
      title: m.title,
      description: m.description,
      creator: this.userJson({ login: repo.owner, type: "User" }),
      open_issues: inIt.filter((i) => i.state === "open").length,
      closed_issues: inIt.filter((i) => i.state === "closed").length,
      created_at: m.created_at,
      updated_at: m.created_at,
      closed_at: null,
      due_on: m.due_on,
    };
  }

  private issueJson(repo: RepoState, issue: StandInIssue): Record<string, unknown> {
    const url = `${this.api}/repos/${repo.fullName}/issues/${issue.number}`;
    const children = issue.sub_issues.map((id) => this.findIssueById(id)?.issue).filter((x): x is StandInIssue => !!x);
    const completed = children.filter((c) => c.state === "closed").length;
    const parent = issue.parent !== null ? this.findIssueById(issue.parent) : undefined;
    const json: Record<string, unknown> = {
      url,
      repository_url: `${this.api}/repos/${repo.fullName}`,
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      events_url: `${url}/events`,
      html_url: `${this.url}/${repo.fullName}/${issue.pull_request ? "pull" : "issues"}/${issue.number}`,
      id: issue.id,
      node_id: issue.node_id,
      number: issue.number,
      title: issue.title,
      user: this.userJson(issue.user),
      labels: issue.labels.map((l) => this.labelJson(repo, l)),
      state: issue.state,
      locked: false,
      assignee: issue.assignees[0] ? this.userJson({ login: issue.assignees[0], type: "User" }) : null,
      assignees: issue.assignees.map((a) => this.userJson({ login: a, type: "User" })),
      milestone: this.milestoneJson(repo, issue.milestone),
      comments: issue.comments.length,
      created_at: issue.created_at,
      updated_at: issue.updated_at,
      closed_at: issue.closed_at,
      closed_by: issue.closed_by
        ? this.userJson({ login: issue.closed_by, type: issue.closed_by.endsWith("[bot]") ? "Bot" : "User" })
        : null,
      author_association: this.association(repo, issue.user.login),
      active_lock_reason: null,
      body: issue.body,
      reactions: this.rollup(url, issue.reactions),
      timeline_url: `${url}/timeline`,
      performed_via_github_app: issue.performed_via_github_app ? this.appJson(issue.performed_via_github_app) : null,
      state_reason: issue.state_reason,
      type: this.issueTypeJson(repo, issue.type),
      issue_dependencies_summary: this.dependencySummary(issue),
      sub_issues_summary: {
        total: children.length,
        completed,
        percent_completed: children.length ? Math.floor((completed * 100) / children.length) : 0,
      },
      parent_issue_url: parent ? `${this.api}/repos/${parent.repo.fullName}/issues/${parent.issue.number}` : null,
    };
    if (issue.pull_request) {
      json.draft = false;
      json.pull_request = {
        url: `${this.api}/repos/${repo.fullName}/pulls/${issue.number}`,
        html_url: `${this.url}/${repo.fullName}/pull/${issue.number}`,
        diff_url: `${this.url}/${repo.fullName}/pull/${issue.number}.diff`,
        patch_url: `${this.url}/${repo.fullName}/pull/${issue.number}.patch`,
        merged_at: null,
      };
    }
    return json;
  }

  private issueTypeJson(repo: RepoState, name: string | null | undefined): Record<string, unknown> | null {
    const t = name ? repo.issueTypes?.find((x) => x.name === name) : undefined;
    if (!t) return null;
    const at = repo.createdAt;
    return {
      id: t.id,
      node_id: t.node_id,
      name: t.name,
      description: null,
      color: t.color,
      created_at: at,
      updated_at: at,
      is_enabled: true,
    };
  }

  /** GitHub counts open blockers in `blocked_by` / `blocking`, all of them in the `total_` fields. */
  private dependencySummary(issue: StandInIssue): Record<string, number> {
    const blockers = (issue.blocked_by ?? [])
      .map((id) => this.findIssueById(id)?.issue)
      .filter((x): x is StandInIssue => !!x);
    const blocking = [...this.repos.values()].flatMap((r) => r.issues).filter((i) => i.blocked_by?.includes(issue.id));
    const open = (xs: StandInIssue[]) => xs.filter((x) => x.state === "open").length;
    return {
      blocked_by: open(blockers),
      blocking: open(blocking),
      total_blocked_by: blockers.length,
      total_blocking: blocking.length,
    };
  }

  private commentJson(repo: RepoState, issue: StandInIssue, c: StandInComment): Record<string, unknown> {
    const url = `${this.api}/repos/${repo.fullName}/issues/comments/${c.id}`;
    return {
      id: c.id,
      node_id: c.node_id,
      url,
      html_url: `${this.url}/${repo.fullName}/issues/${issue.number}#issuecomment-${c.id}`,
      body: c.body,
      user: this.userJson(c.user),
      created_at: c.created_at,
      updated_at: c.updated_at,
      issue_url: `${this.api}/repos/${repo.fullName}/issues/${issue.number}`,
      author_association: this.association(repo, c.user.login),
      performed_via_github_app: c.performed_via_github_app ? this.appJson(c.performed_via_github_app) : null,
      reactions: this.rollup(url, c.reactions),
    };
  }

  private reactionJson(r: StandInReaction): Record<string, unknown> {
    const id = r.id as number;
    return {
      id,
      node_id: nodeId("REA", id),
      user: this.userJson({ login: r.user, type: r.user.endsWith("[bot]") ? "Bot" : "User" }),
      content: r.content,
      created_at: r.created_at,
    };
  }

  private installationJson(id: number, repo?: RepoState): Record<string, unknown> {
    const owner = repo?.owner ?? [...this.repos.values()].find((r) => r.installationId === id)?.owner ?? "octocat";
    return {
      id,
      account: this.userJson({ login: owner, type: "User" }),
      repository_selection: "all",
      access_tokens_url: `${this.api}/app/installations/${id}/access_tokens`,
      repositories_url: `${this.api}/installation/repositories`,
      html_url: `${this.url}/settings/installations/${id}`,
      app_id: this.appId,
      app_slug: this.appSlug,
      client_id: `Iv1.standin${this.appId}`,
      target_id: this.userId(owner),
      target_type: "User",
      permissions: { issues: "write", contents: "read", metadata: "read" },
      events: ["issues", "issue_comment"],
      created_at: this.startedAt,
      updated_at: this.startedAt,
      single_file_name: null,
      has_multiple_single_files: false,
      single_file_paths: [],
      suspended_by: null,
      suspended_at: null,
    };
  }

  private repoJson(repo: RepoState): Record<string, unknown> {
    const u = `${this.api}/repos/${repo.fullName}`;
    const html = `${this.url}/${repo.fullName}`;
    const open = repo.issues.filter((i) => i.state === "open").length;
    return {
      id: repo.id,
      node_id: repo.node_id,
      name: repo.name,
      full_name: repo.fullName,
      owner: this.userJson({ login: repo.owner, type: "User" }),
      private: repo.private,
      visibility: repo.private ? "private" : "public",
      html_url: html,
      description: null,
      fork: false,
      url: u,
      archive_url: `${u}/{archive_format}{/ref}`,
      assignees_url: `${u}/assignees{/user}`,
      blobs_url: `${u}/git/blobs{/sha}`,
      branches_url: `${u}/branches{/branch}`,
      collaborators_url: `${u}/collaborators{/collaborator}`,
      comments_url: `${u}/comments{/number}`,
      commits_url: `${u}/commits{/sha}`,
      compare_url: `${u}/compare/{base}...{head}`,
      contents_url: `${u}/contents/{+path}`,
      contributors_url: `${u}/contributors`,
      deployments_url: `${u}/deployments`,
      downloads_url: `${u}/downloads`,
      events_url: `${u}/events`,
      forks_url: `${u}/forks`,
      git_commits_url: `${u}/git/commits{/sha}`,
      git_refs_url: `${u}/git/refs{/sha}`,
      git_tags_url: `${u}/git/tags{/sha}`,
      git_url: `git://${this.host}/${repo.fullName}.git`,
      issue_comment_url: `${u}/issues/comments{/number}`,
      issue_events_url: `${u}/issues/events{/number}`,
      issues_url: `${u}/issues{/number}`,
      keys_url: `${u}/keys{/key_id}`,
      labels_url: `${u}/labels{/name}`,
      languages_url: `${u}/languages`,
      merges_url: `${u}/merges`,
      milestones_url: `${u}/milestones{/number}`,
      notifications_url: `${u}/notifications{?since,all,participating}`,
      pulls_url: `${u}/pulls{/number}`,
      releases_url: `${u}/releases{/id}`,
      ssh_url: `git@${this.host}:${repo.fullName}.git`,
      stargazers_url: `${u}/stargazers`,
      statuses_url: `${u}/statuses/{sha}`,
      subscribers_url: `${u}/subscribers`,
      subscription_url: `${u}/subscription`,
      tags_url: `${u}/tags`,
      teams_url: `${u}/teams`,
      trees_url: `${u}/git/trees{/sha}`,
      clone_url: `${html}.git`,
      mirror_url: null,
      hooks_url: `${u}/hooks`,
      svn_url: html,
      homepage: null,
      language: null,
      forks_count: 0,
      forks: 0,
      stargazers_count: 0,
      watchers_count: 0,
      watchers: 0,
      size: 0,
      default_branch: repo.defaultBranch,
      open_issues_count: open,
      open_issues: open,
      is_template: false,
      topics: [],
      has_issues: true,
      has_projects: false,
      has_wiki: false,
      has_pages: false,
      has_downloads: false,
      has_discussions: false,
      archived: false,
      disabled: false,
      pushed_at: repo.createdAt,
      created_at: repo.createdAt,
      updated_at: repo.createdAt,
      license: null,
      network_count: 0,
      subscribers_count: 0,
      allow_forking: true,
      web_commit_signoff_required: false,
    };
  }

  /** A commit that wrote `path` at `date`, as `GET /repos/{o}/{r}/commits` lists it. */
  private commitJson(repo: RepoState, path: string, date: string): Record<string, unknown> {
    const sha = createHash("sha1").update(`commit:${repo.fullName}:${path}:${date}`).digest("hex");
    const tree = createHash("sha1").update(`tree:${repo.fullName}:${date}`).digest("hex");
    const u = `${this.api}/repos/${repo.fullName}`;
    const who = { name: repo.owner, email: `${repo.owner}@users.noreply.github.com`, date };
    return {
      url: `${u}/commits/${sha}`,
      sha,
      node_id: nodeId("C", repo.id, Number.parseInt(sha.slice(0, 8), 16)),
      html_url: `${this.url}/${repo.fullName}/commit/${sha}`,
      comments_url: `${u}/commits/${sha}/comments`,
      commit: {
        url: `${u}/git/commits/${sha}`,
        author: who,
        committer: who,
        message: `Update ${path}`,
        comment_count: 0,
        tree: { sha: tree, url: `${u}/git/trees/${tree}` },
      },
      author: this.userJson({ login: repo.owner, type: "User" }),
      committer: this.userJson({ login: repo.owner, type: "User" }),
      parents: [],
    };
  }

  private contentEntry(repo: RepoState, path: string, type: "file" | "dir"): Record<string, unknown> {
    const text = type === "file" ? (repo.files.get(path) as string) : "";
    const sha =
      type === "file" ? gitBlobSha(text) : createHash("sha1").update(`tree:${repo.fullName}:${path}`).digest("hex");
    const encPath = path.split("/").map(encodeURIComponent).join("/");
    const branch = encodeURIComponent(repo.defaultBranch);
    const url = `${this.api}/repos/${repo.fullName}/contents/${encPath}?ref=${branch}`;
    const gitUrl = `${this.api}/repos/${repo.fullName}/git/${type === "file" ? "blobs" : "trees"}/${sha}`;
    const htmlUrl = `${this.url}/${repo.fullName}/${type === "file" ? "blob" : "tree"}/${branch}/${encPath}`;
    return {
      type,
      size: Buffer.byteLength(text, "utf8"),
      name: path.split("/").pop() as string,
      path,
      sha,
      url,
      git_url: gitUrl,
      html_url: htmlUrl,
      download_url:
        type === "file"
          ? `${this.url}/raw/${repo.fullName}/${encodeURIComponent(repo.defaultBranch)}/${encPath}`
          : null,
      _links: { self: url, git: gitUrl, html: htmlUrl },
    };
  }

  // ----- request handling -----

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const at = Date.now();
    this.inFlight++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.inFlight);
    res.once("close", () => this.inFlight--);
    this.requestCount++;

    const method = (req.method ?? "GET").toUpperCase();
    const u = new URL(req.url ?? "/", "http://standin.invalid");
    let rawPath = u.pathname;
    let prefix = "";
    if (rawPath === "/api/v3" || rawPath.startsWith("/api/v3/")) {
      prefix = "/api/v3";
      rawPath = rawPath.slice(prefix.length) || "/";
    }
    const query: Record<string, string> = {};
    for (const [k, v] of u.searchParams) query[k] = v;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;

    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    let badJson = false;
    const ctype = headers["content-type"] ?? "";
    if (text.length > 0) {
      if (ctype === "" || /json/i.test(ctype)) {
        try {
          body = JSON.parse(text) as Json;
        } catch {
          badJson = true;
          body = text;
        }
      } else {
        body = text;
      }
    }

    const path = safeDecode(rawPath);
    const record: RecordedRequest = { method, path, rawPath, query, body, status: 0, at, headers };
    this.requests.push(record);
    const label = `${method} ${path}`;

    const finish = async (reply: Reply, op?: Operation): Promise<void> => {
      if (this.latencyMs > 0) await sleep(this.latencyMs, this.timers);
      const fault = this.takeFault(method, rawPath, path, text, false);
      if (fault?.delayMs) await sleep(fault.delayMs, this.timers);
      if (fault?.drop) {
        record.status = -1;
        res.destroy();
        return;
      }
      if (fault?.reply) reply = fault.reply;
      else if (
        op &&
        this.checkResponses &&
        reply.status >= 200 &&
        reply.status < 300 &&
        reply.raw === undefined &&
        reply.body !== undefined
      ) {
        const fn = responseValidator(this.spec, op, reply.status);
        if (fn && !fn(reply.body)) {
          this.responseViolations.push(
            `${label} → ${reply.status}: ${ajvProblems("body", fn.errors)
              .map((p) => p.text.replace(/^body/, "response"))
              .join("; ")}`,
          );
        }
      }
      record.status = reply.status;
      this.send(res, reply);
    };

    // A fault that takes effect before the request: answered without running it.
    const early = this.takeFault(method, rawPath, path, text, true);
    if (early?.delayMs) await sleep(early.delayMs, this.timers);
    if (early?.drop) {
      record.status = -1;
      res.destroy();
      return;
    }
    if (early?.reply) {
      record.status = early.reply.status;
      return this.send(res, early.reply);
    }

    // GraphQL is not part of the REST description.
    if (method === "POST" && (rawPath === "/graphql" || (prefix === "" && rawPath === "/api/graphql"))) {
      record.operationId = "graphql";
      if (badJson) {
        this.violations.push(`${label}: body is not valid JSON`);
        return finish({
          status: 400,
          body: { message: "Problems parsing JSON", documentation_url: "https://docs.github.com/graphql" },
        });
      }
      // GitHub reads the body as JSON whatever its content type says.
      let request = body;
      if (typeof body === "string") {
        try {
          request = JSON.parse(body);
        } catch {
          this.violations.push(`${label}: body is not valid JSON`);
          return finish({
            status: 400,
            body: { message: "Problems parsing JSON", documentation_url: "https://docs.github.com/graphql" },
          });
        }
      }
      const answer = executeGraphQL(this.graphqlHost(this.actorFor(headers.authorization)), request);
      this.violations.push(...answer.violations.map((v) => `${label}: ${v}`));
      return finish({ status: answer.status, body: answer.body });
    }

    if (badJson) {
      this.violations.push(`${label}: body is not valid JSON`);
      return finish({
        status: 400,
        body: { message: "Problems parsing JSON", documentation_url: "https://docs.github.com/rest", status: "400" },
      });
    }

    const { match, knownMethods } = matchRoute(this.spec, method, rawPath);
    if (!match) {
      this.violations.push(
        knownMethods
          ? `${label}: GitHub has no ${method} operation on this path (it has ${knownMethods.join(", ")})`
          : `${label}: no such path in GitHub's REST API description`,
      );
      return finish({
        status: 404,
        body: { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" },
      });
    }
    const { op, params } = match;
    record.operationId = op.operationId;

    const problems = validateRequest(this.spec, op, params, query, body);
    if (problems.length > 0) {
      this.violations.push(`${label}: ${problems.map((p) => p.text).join("; ")}`);
      return finish({ status: 422, body: this.validationFailed(op, problems) }, op);
    }

    const handler = this.handlers[op.operationId];
    if (!handler) {
      this.unimplemented.push(`${label} (${op.operationId})`);
      return finish(
        {
          status: 404,
          body: {
            message: "Not Found",
            documentation_url: op.docUrl,
            status: "404",
            standin: `${op.operationId} is not implemented by the stand-in`,
          },
        },
        op,
      );
    }
    const ctx: Ctx = {
      method,
      op,
      params,
      query,
      body: body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {},
      actor: this.actorFor(headers.authorization),
      req,
      prefix,
      rawPath,
    };
    let reply: Reply;
    try {
      reply = handler.call(this, ctx);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      if (err.status === 422 && err.extra.violation) this.violations.push(`${label}: ${String(err.extra.violation)}`);
      const { violation: _v, ...extra } = err.extra;
      reply = {
        status: err.status,
        body: { message: err.message, ...extra, documentation_url: op.docUrl, status: String(err.status) },
      };
    }
    return finish(reply, op);
  }

  private validationFailed(op: Operation, problems: Problem[]): Record<string, unknown> {
    const resource = op.operationId
      .split("/")[0]
      .replace(/s$/, "")
      .replace(/^./, (c) => c.toUpperCase());
    return {
      message: "Validation Failed",
      errors: problems.map((p) => ({ resource, field: p.field, code: p.code, message: p.text })),
      documentation_url: op.docUrl,
      status: "422",
    };
  }

  private takeFault(
    method: string,
    rawPath: string,
    path: string,
    requestText: string,
    before: boolean,
  ): { reply?: Reply; drop?: boolean; delayMs?: number } | undefined {
    for (const f of this.faults) {
      if (f.left <= 0 || Boolean(f.before) !== before) continue;
      if (f.method && f.method.toUpperCase() !== method) continue;
      if (f.bodyMatches) {
        f.bodyMatches.lastIndex = 0;
        if (!f.bodyMatches.test(requestText)) continue;
      }
      if (f.path) {
        f.path.lastIndex = 0;
        const hitRaw = f.path.test(rawPath);
        f.path.lastIndex = 0;
        if (!hitRaw && !f.path.test(path)) continue;
      }
      f.left--;
      if (f.status === undefined) return { drop: f.drop, delayMs: f.delayMs };
      const headers = { ...(f.headers ?? {}) };
      const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
      let body = f.body;
      if (body === undefined) {
        if ((f.status === 403 || f.status === 429) && lower["retry-after"] !== undefined) {
          body = {
            message:
              "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you " +
              "reach out to GitHub Support for help, please include the request ID standin.",
            documentation_url:
              "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#" +
              "about-secondary-rate-limits",
            status: String(f.status),
          };
        } else {
          body = {
            message: http.STATUS_CODES[f.status] ?? "Error",
            documentation_url: "https://docs.github.com/rest",
            status: String(f.status),
          };
        }
      }
      return { reply: { status: f.status, body, headers }, drop: f.drop, delayMs: f.delayMs };
    }
    return undefined;
  }

  private send(res: http.ServerResponse, reply: Reply): void {
    const used = Math.min(this.requestCount, 5000);
    const headers: Record<string, string> = {
      "x-github-request-id": randomBytes(8).toString("hex").toUpperCase(),
      "x-github-media-type": "github.v3; format=json",
      "x-github-api-version-selected": "2022-11-28",
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": String(5000 - used),
      "x-ratelimit-used": String(used),
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
      "x-ratelimit-resource": "core",
      ...(reply.headers ?? {}),
    };
    if (reply.raw !== undefined) {
      headers["content-type"] = "text/plain; charset=utf-8";
      res.writeHead(reply.status, headers);
      res.end(reply.raw);
      return;
    }
    if (reply.body === undefined || reply.status === 204 || reply.status === 304) {
      res.writeHead(reply.status, headers);
      res.end();
      return;
    }
    headers["content-type"] = "application/json; charset=utf-8";
    res.writeHead(reply.status, headers);
    res.end(JSON.stringify(reply.body));
  }

  private actorFor(authorization: string | undefined): Actor {
    const token = authorization?.replace(/^(token|bearer)\s+/i, "").trim() ?? "";
    const as = /^user:(.+)$/.exec(token);
    if (as) return { user: { login: as[1], type: "User" }, app: null };
    return (
      this.tokens.get(token) ?? {
        user: { login: this.botLogin, type: "Bot" },
        app: { id: this.appId, slug: this.appSlug },
      }
    );
  }

  // ----- handler helpers -----

  private repoOf(ctx: Ctx): RepoState {
    return this.repoNamed(`${ctx.params.owner}/${ctx.params.repo}`);
  }

  private issueOf(ctx: Ctx, repo = this.repoOf(ctx)): StandInIssue {
    return this.issueNumbered(repo, Number(ctx.params.issue_number));
  }

  private commentOf(ctx: Ctx): { repo: RepoState; issue: StandInIssue; comment: StandInComment } {
    const repo = this.repoOf(ctx);
    return { repo, ...this.commentWithId(repo, Number(ctx.params.comment_id)) };
  }

  private paginate<T>(ctx: Ctx, items: T[]): { page: T[]; headers: Record<string, string> } {
    const perPage = Math.min(Math.max(Number(ctx.query.per_page ?? 30) || 30, 1), 100);
    const page = Math.max(Number(ctx.query.page ?? 1) || 1, 1);
    const last = Math.max(Math.ceil(items.length / perPage), 1);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const link = (p: number) => {
      const q = new URLSearchParams(ctx.query);
      q.set("per_page", String(perPage));
      q.set("page", String(p));
      return `<http://${ctx.req.headers.host ?? this.host}${ctx.prefix}${ctx.rawPath}?${q.toString()}>`;
    };
    const rels: string[] = [];
    if (page > 1) rels.push(`${link(page - 1)}; rel="prev"`);
    if (page < last) rels.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
    if (page > 1) rels.push(`${link(1)}; rel="first"`);
    return { page: slice, headers: rels.length ? { link: rels.join(", ") } : {} };
  }

  private addReaction(target: { reactions: StandInReaction[] }, ctx: Ctx): Reply {
    const { reaction, created } = this.react(target, String(ctx.body.content), ctx.actor.user.login);
    return { status: created ? 201 : 200, body: this.reactionJson(reaction) };
  }

  /** The stand-in's state as the GraphQL executor sees it, acting as `actor`. */
  private graphqlHost(actor: Actor): GraphQLHost {
    const unprocessable = (message: string): never => {
      throw new ExecError("UNPROCESSABLE", message);
    };
    return {
      webUrl: this.url,
      actor,
      repoByName: (owner, name) => this.repos.get(`${owner}/${name}`.toLowerCase()),
      repos: () => this.repos.values(),
      issueById: (id) => this.findIssueById(id),
      userId: (login) => this.userId(login),
      loginOfNode: (id) => {
        for (const u of this.users.values()) if (nodeId("U", u.id) === id || nodeId("BOT", u.id) === id) return u.login;
        return undefined;
      },
      createIssue: (repo, f) =>
        this.addIssue(repo.fullName, {
          title: f.title,
          body: f.body,
          labels: f.labels,
          assignees: f.assignees,
          milestone: f.milestone,
          type: f.type,
          user: actor.user,
          performed_via_github_app: actor.app,
        }),
      addComment: (repo, issue, text) => {
        const comment = this.addComment(repo.fullName, issue.number, {
          body: text,
          user: actor.user,
          performed_via_github_app: actor.app,
        });
        this.touch(issue);
        return comment;
      },
      linkSubIssue: (_repo, parent, child, replace) => this.linkSubIssue(parent, child, replace, unprocessable),
      ensureLabel: (repo, name, color, description) => {
        const label = this.ensureLabel(repo, name);
        if (color) label.color = color;
        if (description !== undefined) label.description = description;
        return label;
      },
      closeIssue: (issue, reason) => {
        if (issue.state !== "closed") {
          issue.state = "closed";
          issue.closed_at = nowIso();
          issue.closed_by = actor.user.login;
        }
        issue.state_reason = reason;
        this.touch(issue);
      },
      checkBody: (text, resource) => {
        if (text.length > MAX_BODY) {
          this.violations.push(`GraphQL: ${resource} body is ${text.length} characters; GitHub's limit is ${MAX_BODY}`);
          unprocessable(`Body is too long (maximum is ${MAX_BODY} characters)`);
        }
      },
      touch: (issue) => this.touch(issue),
    };
  }

  // ----- operations (keyed by GitHub's operationId) -----

  private readonly handlers: Record<string, (this: StandIn, ctx: Ctx) => Reply> = {
    // Apps. Any bearer JWT is accepted.
    "apps/get-authenticated"() {
      return {
        status: 200,
        body: {
          ...this.appJson({ id: this.appId, slug: this.appSlug }),
          installations_count: new Set([...this.repos.values()].map((r) => r.installationId)).size,
        },
      };
    },
    "apps/list-installations"(ctx) {
      const ids = [...new Set([...this.repos.values()].map((r) => r.installationId))].sort((a, b) => a - b);
      const { page, headers } = this.paginate(ctx, ids);
      return { status: 200, body: page.map((id) => this.installationJson(id)), headers };
    },
    "apps/get-installation"(ctx) {
      const id = Number(ctx.params.installation_id);
      if (![...this.repos.values()].some((r) => r.installationId === id)) throw new HttpError(404, "Not Found");
      return { status: 200, body: this.installationJson(id) };
    },
    "apps/get-repo-installation"(ctx) {
      const repo = this.repoOf(ctx);
      return { status: 200, body: this.installationJson(repo.installationId, repo) };
    },
    "apps/create-installation-access-token"(ctx) {
      const id = Number(ctx.params.installation_id);
      const repos = [...this.repos.values()].filter((r) => r.installationId === id);
      if (repos.length === 0) throw new HttpError(404, "Not Found");
      const token = `ghs_standin${id}x${randomBytes(12).toString("hex")}`;
      this.tokens.set(token, {
        user: { login: this.botLogin, type: "Bot" },
        app: { id: this.appId, slug: this.appSlug },
      });
      return {
        status: 201,
        body: {
          token,
          expires_at: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
          permissions: { issues: "write", contents: "read", metadata: "read" },
          repository_selection: "all",
        },
      };
    },

    // Repository
    "repos/get"(ctx) {
      return { status: 200, body: this.repoJson(this.repoOf(ctx)) };
    },
    "repos/get-content"(ctx) {
      const repo = this.repoOf(ctx);
      // `ref` is accepted but the stand-in keeps a single branch.
      const path = ctx.params.path.replace(/^\/+|\/+$/g, "");
      const accept = String(ctx.req.headers.accept ?? "");
      const text = repo.files.get(path);
      if (text !== undefined) {
        if (/application\/vnd\.github(\.v3)?\.raw/i.test(accept)) return { status: 200, raw: text };
        return {
          status: 200,
          body: { ...this.contentEntry(repo, path, "file"), encoding: "base64", content: base64Wrapped(text) },
        };
      }
      const prefix = path === "" ? "" : `${path}/`;
      const entries = new Map<string, "file" | "dir">();
      for (const f of repo.files.keys()) {
        if (!f.startsWith(prefix)) continue;
        const rest = f.slice(prefix.length);
        const [head, ...tail] = rest.split("/");
        entries.set(prefix + head, tail.length ? "dir" : "file");
      }
      if (entries.size === 0 && path !== "") throw new HttpError(404, "Not Found");
      const list = [...entries.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([p, t]) => this.contentEntry(repo, p, t));
      return { status: 200, body: list };
    },
    // Commits: one per file write, newest first; `path` keeps those of that file or folder (what the app asks).
    "repos/list-commits"(ctx) {
      const repo = this.repoOf(ctx);
      const path = (ctx.query.path ?? "").replace(/^\/+|\/+$/g, "");
      const touched = [...repo.fileDates.entries()]
        .filter(([p]) => path === "" || p === path || p.startsWith(`${path}/`))
        .sort(([, a], [, b]) => (a < b ? 1 : a > b ? -1 : 0));
      const { page, headers } = this.paginate(ctx, touched);
      return { status: 200, body: page.map(([p, date]) => this.commitJson(repo, p, date)), headers };
    },
    "repos/check-collaborator"(ctx) {
      const repo = this.repoOf(ctx);
      const login = ctx.params.username.toLowerCase();
      return { status: repo.collaborators.has(login) || login === repo.owner.toLowerCase() ? 204 : 404 };
    },
    /**
     * GitHub: `permission` is the legacy base role (admin/write/read/none; maintain shows as write, triage as read),
     * `role_name` the real role. A non-collaborator on a public repo gets read/read (anyone can read it), on a
     * private repo none/none. A login that cannot be a GitHub user gets 404. The user-owned repo's owner is admin.
     */
    "repos/get-collaborator-permission-level"(ctx) {
      const { login, permissions, ...answer } = this.permissionOf(this.repoOf(ctx), ctx.params.username);
      const type = login.endsWith("[bot]") ? "Bot" : "User";
      return {
        status: 200,
        body: { ...answer, user: { ...this.userJson({ login, type }), permissions, role_name: answer.role_name } },
      };
    },

    // Issues
    "issues/get"(ctx) {
      const repo = this.repoOf(ctx);
      return { status: 200, body: this.issueJson(repo, this.issueOf(ctx, repo)) };
    },
    "issues/create"(ctx) {
      const repo = this.repoOf(ctx);
      const b = ctx.body;
      const assignees = [...((b.assignees as string[] | undefined) ?? [])];
      if (typeof b.assignee === "string" && !assignees.includes(b.assignee)) assignees.unshift(b.assignee);
      const fields = { title: String(b.title ?? ""), body: b.body as string | null | undefined, assignees };
      const labels = this.labelNames(b.labels);
      const issue = this.createIssue(repo, { ...fields, labels, milestone: b.milestone, type: b.type }, ctx.actor);
      const body = this.issueJson(repo, issue);
      return { status: 201, body, headers: { location: String(body.url) } };
    },
    "issues/update"(ctx) {
      const repo = this.repoOf(ctx);
      const issue = this.issueOf(ctx, repo);
      const b = ctx.body;
      if (b.title !== undefined && b.title !== null) {
        if (String(b.title).trim() === "") {
          throw new HttpError(422, "Validation Failed", {
            errors: [{ resource: "Issue", code: "missing_field", field: "title" }],
            violation: "body/title must not be blank",
          });
        }
        this.checkTitle(String(b.title));
        issue.title = String(b.title);
      }
      if (b.body !== undefined) this.setIssueBody(issue, b.body as string | null);
      if (b.labels !== undefined) this.setLabels(repo, issue, this.labelNames(b.labels));
      if (b.assignees !== undefined) {
        issue.assignees = (b.assignees as unknown[]).map((a) =>
          typeof a === "string" ? a : String((a as { login?: unknown }).login),
        );
      } else if (b.assignee !== undefined) {
        issue.assignees = b.assignee ? [String(b.assignee)] : [];
      }
      if (b.state !== undefined || b.state_reason !== undefined) {
        const state = (b.state as "open" | "closed" | undefined) ?? issue.state;
        this.setIssueState(issue, state, b.state_reason as string | null | undefined, ctx.actor);
      }
      this.touch(issue);
      return { status: 200, body: this.issueJson(repo, issue) };
    },
    "issues/list-for-repo"(ctx) {
      const repo = this.repoOf(ctx);
      const { page, headers } = this.paginate(ctx, this.listIssues(repo, ctx.query));
      return { status: 200, body: page.map((i) => this.issueJson(repo, i)), headers };
    },
    "issues/add-assignees"(ctx) {
      const repo = this.repoOf(ctx);
      const issue = this.issueOf(ctx, repo);
      for (const a of (ctx.body.assignees as string[] | undefined) ?? [])
        if (!issue.assignees.includes(a)) issue.assignees.push(a);
      this.touch(issue);
      return { status: 201, body: this.issueJson(repo, issue) };
    },
    "issues/remove-assignees"(ctx) {
      const repo = this.repoOf(ctx);
      const issue = this.issueOf(ctx, repo);
      const drop = new Set(((ctx.body.assignees as string[] | undefined) ?? []).map((a) => a.toLowerCase()));
      issue.assignees = issue.assignees.filter((a) => !drop.has(a.toLowerCase()));
      this.touch(issue);
      return { status: 200, body: this.issueJson(repo, issue) };
    },

    // Comments
    "issues/list-comments"(ctx) {
      const repo = this.repoOf(ctx);
      const issue = this.issueOf(ctx, repo);
      let list = issue.comments;
      if (ctx.query.since) list = list.filter((c) => c.updated_at >= ctx.query.since);
      const { page, headers } = this.paginate(ctx, list);
      return { status: 200, body: page.map((c) => this.commentJson(repo, issue, c)), headers };
    },
    "issues/list-comments-for-repo"(ctx) {
      const repo = this.repoOf(ctx);
      const all = repo.issues.flatMap((issue) => issue.comments.map((comment) => ({ issue, comment })));
      all.sort((a, b) => a.comment.id - b.comment.id);
      if ((ctx.query.direction ?? "asc") === "desc") all.reverse();
      const { page, headers } = this.paginate(ctx, all);
      return { status: 200, body: page.map(({ issue, comment }) => this.commentJson(repo, issue, comment)), headers };
    },
    "issues/create-comment"(ctx) {
      const repo = this.repoOf(ctx);
      const issue = this.issueOf(ctx, repo);
      this.checkBody(ctx.body.body, "IssueComment");
      const comment = this.createComment(repo, issue, String(ctx.body.body), ctx.actor);
      const body = this.commentJson(repo, issue, comment);
      return { status: 201, body, headers: { location: String(body.url) } };
    },
    "issues/get-comment"(ctx) {
      const { repo, issue, comment } = this.commentOf(ctx);
      return { status: 200, body: this.commentJson(repo, issue, comment) };
    },
    "issues/update-comment"(ctx) {
      const { repo, issue, comment } = this.commentOf(ctx);
      this.checkBody(ctx.body.body, "IssueComment");
      this.updateComment(comment, String(ctx.body.body));
      return { status: 200, body: this.commentJson(repo, issue, comment) };
    },
    "issues/delete-comment"(ctx) {
      const { issue, comment } = this.commentOf(ctx);
      issue.comments = issue.comments.filter((c) => c !== comment);
      return { status: 204 };
    },

    // Labels
    "issues/list-labels-on-issue"(ctx) {
      const repo = this.repoOf(ctx);
      const issue = this.issueOf(ctx, repo);
      const { page, headers } = this.paginate(ctx, issue.labels);
      return { status: 200, body: page.map((l) => this.labelJson(repo, l)), headers };
    },
    "issues/add-labels"(ctx) {
      const repo = this.repoOf(ctx);
      const issue = this.issueOf(ctx, repo);
      this.setLabels(repo, issue, [...issue.labels, ...this.labelNames(ctx.body.labels)]);
      this.touch(issue);
      return { status: 200, body: issue.labels.map((l) => this.labelJson(repo, l)) };
    },
    "issues/set-labels"(ctx) {
      const repo = this.repoOf(ctx);
      const issue = this.issueOf(ctx, repo);
      this.setLabels(repo, issue, this.labelNames(ctx.body.labels));
      this.touch(issue);
      return { status: 200, body: issue.labels.map((l) => this.labelJson(repo, l)) };
    },
    "issues/remove-label"(ctx) {
      const repo = this.repoOf(ctx);
      const issue = this.issueOf(ctx, repo);
      this.removeLabel(issue, ctx.params.name);
      return { status: 200, body: issue.labels.map((l) => this.labelJson(repo, l)) };
    },
    "issues/remove-all-labels"(ctx) {
      const issue = this.issueOf(ctx);
      issue.labels = [];
      this.touch(issue);
      return { status: 204 };
    },

    // Sub-issues. `sub_issue_id` is the child's id (not its number). The add/remove answers carry the parent issue.
    "issues/list-sub-issues"(ctx) {
      const repo = this.repoOf(ctx);
      const issue = this.issueOf(ctx, repo);
      const { page, headers } = this.paginate(ctx, this.subIssuesOf(issue));
      return { status: 200, body: page.map((c) => this.issueJson(c.repo, c.issue)), headers };
    },
    "issues/add-sub-issue"(ctx) {
      const repo = this.repoOf(ctx);
      const parent = this.issueOf(ctx, repo);
      this.addSubIssue(repo, parent, Number(ctx.body.sub_issue_id), ctx.body.replace_parent === true);
      return {
        status: 201,
        body: this.issueJson(repo, parent),
        headers: { location: `${this.api}/repos/${repo.fullName}/issues/${parent.number}/sub_issues` },
      };
    },
    "issues/remove-sub-issue"(ctx) {
      const repo = this.repoOf(ctx);
      const parent = this.issueOf(ctx, repo);
      const childId = Number(ctx.body.sub_issue_id);
      if (!parent.sub_issues.includes(childId)) throw new HttpError(404, "Not Found");
      parent.sub_issues = parent.sub_issues.filter((id) => id !== childId);
      const child = this.findIssueById(childId);
      if (child) child.issue.parent = null;
      this.touch(parent);
      return { status: 200, body: this.issueJson(repo, parent) };
    },
    "issues/get-parent"(ctx) {
      const issue = this.issueOf(ctx);
      const parent = issue.parent !== null ? this.findIssueById(issue.parent) : undefined;
      if (!parent) throw new HttpError(404, "Not Found");
      return { status: 200, body: this.issueJson(parent.repo, parent.issue) };
    },

    // Milestones: `state` open (default), closed or all; sorted by `due_on` (default) or `completeness`.
    "issues/list-milestones"(ctx) {
      const repo = this.repoOf(ctx);
      const list = this.listMilestones(repo, ctx.query.state, ctx.query.direction);
      const { page, headers } = this.paginate(ctx, list);
      return { status: 200, body: page.map((m) => this.milestoneJson(repo, m.number)), headers };
    },

    // Issue types: the organisation's, as the repository inherits them; 404 where there are none (a user's repository).
    "repos/list-issue-types"(ctx) {
      const repo = this.repoOf(ctx);
      if (!repo.issueTypes) throw new HttpError(404, "Not Found");
      return { status: 200, body: repo.issueTypes.map((t) => this.issueTypeJson(repo, t.name)) };
    },

    // Issue dependencies. `issue_id` is the blocking issue's id (not its number), of the same owner; at most 50
    // blockers per issue. A GitHub without them answers 404; a token that may not write them, 403.
    "issues/list-dependencies-blocked-by"(ctx) {
      const repo = this.repoOf(ctx);
      if (repo.dependencies === "absent") throw new HttpError(404, "Not Found");
      const issue = this.issueOf(ctx, repo);
      const { page, headers } = this.paginate(ctx, this.blockersOf(repo, issue));
      return { status: 200, body: page.map((b) => this.issueJson(b.repo, b.issue)), headers };
    },
    "issues/add-blocked-by-dependency"(ctx) {
      const repo = this.repoOf(ctx);
      if (repo.dependencies === "absent") throw new HttpError(404, "Not Found");
      if (repo.dependencies === "forbidden") throw new HttpError(403, "Resource not accessible by integration");
      const issue = this.issueOf(ctx, repo);
      this.addBlockedBy(repo, issue, Number(ctx.body.issue_id));
      return {
        status: 201,
        body: this.issueJson(repo, issue),
        headers: { location: `${this.api}/repos/${repo.fullName}/issues/${issue.number}/dependencies/blocked_by` },
      };
    },

    // Reactions (201 when created, 200 when the same user already reacted with the same content)
    "reactions/create-for-issue"(ctx) {
      return this.addReaction(this.issueOf(ctx), ctx);
    },
    "reactions/create-for-issue-comment"(ctx) {
      return this.addReaction(this.commentOf(ctx).comment, ctx);
    },
    "reactions/list-for-issue"(ctx) {
      const list = this.issueOf(ctx).reactions.filter((r) => !ctx.query.content || r.content === ctx.query.content);
      const { page, headers } = this.paginate(ctx, list);
      return { status: 200, body: page.map((r) => this.reactionJson(r)), headers };
    },
    "reactions/list-for-issue-comment"(ctx) {
      const list = this.commentOf(ctx).comment.reactions.filter(
        (r) => !ctx.query.content || r.content === ctx.query.content,
      );
      const { page, headers } = this.paginate(ctx, list);
      return { status: 200, body: page.map((r) => this.reactionJson(r)), headers };
    },

    // Check runs (GitHub's limits on the output, 65535 characters and 50 annotations a request, are in its
    // description: the request validation refuses more).
    "checks/create"(ctx) {
      const repo = this.repoOf(ctx);
      const b = ctx.body;
      const output = (b.output ?? undefined) as
        | { title?: string; summary?: string; text?: string; annotations?: unknown[] }
        | undefined;
      const id = this.nextIds.checkRun++;
      const url = `${this.api}/repos/${repo.fullName}/check-runs/${id}`;
      const html = `${this.url}/${repo.fullName}/runs/${id}`;
      const status = String(b.status ?? (b.conclusion ? "completed" : "queued"));
      const now = nowIso();
      const run: Record<string, unknown> = {
        id,
        node_id: nodeId("CR", repo.id, id),
        head_sha: String(b.head_sha),
        external_id: String(b.external_id ?? ""),
        url,
        html_url: html,
        details_url: String(b.details_url ?? html),
        status,
        conclusion: (b.conclusion as string | undefined) ?? null,
        started_at: String(b.started_at ?? now),
        completed_at: status === "completed" ? String(b.completed_at ?? now) : null,
        output: {
          title: output?.title ?? null,
          summary: output?.summary ?? null,
          text: output?.text ?? null,
          annotations_count: output?.annotations?.length ?? 0,
          annotations_url: `${url}/annotations`,
        },
        name: String(b.name),
        check_suite: { id: this.nextIds.checkRun++ },
        app: ctx.actor.app ? this.appJson(ctx.actor.app) : null,
        pull_requests: [],
      };
      repo.checkRuns.push({ ...run, annotations: output?.annotations ?? [] });
      return { status: 201, body: run };
    },
  };
}

/** Start a stand-in on 127.0.0.1 (a free port unless `port` is given). */
export async function startGitHubStandIn(opts: StartOptions = {}): Promise<GitHubStandIn> {
  const standIn = new StandIn(loadSpec(), opts);
  await standIn.listen(opts.port ?? 0);
  return standIn;
}
