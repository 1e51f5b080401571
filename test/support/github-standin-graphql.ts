/**
 * The GraphQL side of the GitHub stand-in: a parser for GraphQL documents and an executor for the subset of GitHub's
 * public schema (https://docs.github.com/graphql) that config-triage uses, over the stand-in's in-memory state.
 *
 * It behaves like GitHub where the app could notice: the whole document is validated first, and a field, argument,
 * type or input field the subset does not know is an error shaped like GitHub's (`Field 'x' doesn't exist on type
 * 'Issue'`, extensions.code `undefinedField`, HTTP 200, no `data`) and is recorded as a violation, never answered with
 * null. Connections need `first` or `last` (at most 100). Execution errors (`NOT_FOUND`, `UNPROCESSABLE`) carry a
 * `type` and a `path`, and null the field, as GitHub does; mutations run one after the other in document order.
 */
import { createHash } from "node:crypto";
import type { LabelState, RepoState, StandInComment, StandInIssue, StandInUserRef } from "./github-standin.js";

// ---------------------------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------------------------

interface Loc {
  line: number;
  column: number;
}

type Value =
  | { kind: "var"; name: string }
  | { kind: "int" | "float"; value: number }
  | { kind: "string"; value: string }
  | { kind: "boolean"; value: boolean }
  | { kind: "null" }
  | { kind: "enum"; value: string }
  | { kind: "list"; values: Value[] }
  | { kind: "object"; fields: Record<string, Value> };

interface FieldNode {
  kind: "field";
  alias?: string;
  name: string;
  args: Record<string, Value>;
  selections?: Selection[];
  loc: Loc;
}

interface InlineFragmentNode {
  kind: "inline";
  on?: string;
  selections: Selection[];
  loc: Loc;
}

interface SpreadNode {
  kind: "spread";
  name: string;
  loc: Loc;
}

type Selection = FieldNode | InlineFragmentNode | SpreadNode;

interface OperationNode {
  operation: "query" | "mutation" | "subscription";
  name?: string;
  variables: Array<{ name: string; type: string; default?: Value; loc: Loc }>;
  selections: Selection[];
  loc: Loc;
}

interface Token {
  kind: "punct" | "name" | "int" | "float" | "string" | "eof";
  value: string;
  loc: Loc;
}

class GraphQLSyntaxError extends Error {
  constructor(
    message: string,
    readonly loc: Loc,
  ) {
    super(message);
  }
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const loc = (): Loc => ({ line, column: i - lineStart + 1 });
  while (i < source.length) {
    const c = source[i];
    if (c === "\n") {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r" || c === "," || c === "\ufeff") {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < source.length && source[i] !== "\n") i++;
      continue;
    }
    const at = loc();
    if (source.startsWith("...", i)) {
      tokens.push({ kind: "punct", value: "...", loc: at });
      i += 3;
      continue;
    }
    if ("!$()/:=@[]{}|&".includes(c)) {
      tokens.push({ kind: "punct", value: c, loc: at });
      i++;
      continue;
    }
    const name = /^[_A-Za-z][_0-9A-Za-z]*/.exec(source.slice(i, i + 200));
    if (name) {
      tokens.push({ kind: "name", value: name[0], loc: at });
      i += name[0].length;
      continue;
    }
    const num = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(i, i + 100));
    if (num) {
      tokens.push({ kind: num[2] || num[3] ? "float" : "int", value: num[0], loc: at });
      i += num[0].length;
      continue;
    }
    if (source.startsWith('"""', i)) {
      const end = source.indexOf('"""', i + 3);
      if (end < 0) throw new GraphQLSyntaxError("Unterminated block string", at);
      const raw = source.slice(i + 3, end).replace(/\\"""/g, '"""');
      const lines = raw.split(/\r?\n/);
      const indent = Math.min(...lines.slice(1).filter((l) => l.trim()).map((l) => l.length - l.trimStart().length), Infinity);
      const text = [lines[0], ...lines.slice(1).map((l) => (indent === Infinity ? l : l.slice(indent)))].join("\n").replace(/^\s*\n|\n\s*$/g, "");
      tokens.push({ kind: "string", value: text, loc: at });
      for (const ch of source.slice(i, end + 3)) if (ch === "\n") line++;
      i = end + 3;
      const lastNl = source.lastIndexOf("\n", i);
      if (lastNl >= at.column) lineStart = lastNl + 1;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let text = "";
      for (;;) {
        if (j >= source.length || source[j] === "\n") throw new GraphQLSyntaxError("Unterminated string", at);
        const ch = source[j];
        if (ch === '"') break;
        if (ch === "\\") {
          const esc = source[j + 1];
          const map: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
          if (esc === "u") {
            text += String.fromCharCode(parseInt(source.slice(j + 2, j + 6), 16));
            j += 6;
            continue;
          }
          if (!(esc in map)) throw new GraphQLSyntaxError(`Bad escape \\${esc}`, at);
          text += map[esc];
          j += 2;
          continue;
        }
        text += ch;
        j++;
      }
      tokens.push({ kind: "string", value: text, loc: at });
      i = j + 1;
      continue;
    }
    throw new GraphQLSyntaxError(`Parse error on "${c}"`, at);
  }
  tokens.push({ kind: "eof", value: "", loc: loc() });
  return tokens;
}

class Parser {
  private p = 0;
  readonly fragments = new Map<string, { on: string; selections: Selection[]; loc: Loc }>();
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.p];
  }
  private next(): Token {
    return this.tokens[this.p++];
  }
  private fail(t: Token): never {
    throw new GraphQLSyntaxError(`Parse error on ${t.kind === "eof" ? "end of document" : `"${t.value}" (${t.kind.toUpperCase()})`} at [${t.loc.line}, ${t.loc.column}]`, t.loc);
  }
  private expect(value: string): Token {
    const t = this.next();
    if (t.value !== value || (t.kind !== "punct" && t.kind !== "name")) this.fail(t);
    return t;
  }
  private isPunct(value: string): boolean {
    const t = this.peek();
    return t.kind === "punct" && t.value === value;
  }
  private name(): string {
    const t = this.next();
    if (t.kind !== "name") this.fail(t);
    return t.value;
  }

  document(): OperationNode[] {
    const ops: OperationNode[] = [];
    while (this.peek().kind !== "eof") {
      const t = this.peek();
      if (t.kind === "punct" && t.value === "{") {
        ops.push({ operation: "query", variables: [], selections: this.selectionSet(), loc: t.loc });
      } else if (t.kind === "name" && (t.value === "query" || t.value === "mutation" || t.value === "subscription")) {
        this.next();
        const name = this.peek().kind === "name" ? this.name() : undefined;
        const variables: OperationNode["variables"] = [];
        if (this.isPunct("(")) {
          this.next();
          while (!this.isPunct(")")) {
            const at = this.peek().loc;
            this.expect("$");
            const v = this.name();
            this.expect(":");
            const type = this.typeRef();
            let def: Value | undefined;
            if (this.isPunct("=")) {
              this.next();
              def = this.value(true);
            }
            variables.push({ name: v, type, default: def, loc: at });
          }
          this.next();
        }
        this.directives();
        ops.push({ operation: t.value as OperationNode["operation"], name, variables, selections: this.selectionSet(), loc: t.loc });
      } else if (t.kind === "name" && t.value === "fragment") {
        this.next();
        const name = this.name();
        this.expect("on");
        const on = this.name();
        this.directives();
        this.fragments.set(name, { on, selections: this.selectionSet(), loc: t.loc });
      } else {
        this.fail(t);
      }
    }
    return ops;
  }

  private typeRef(): string {
    let type: string;
    if (this.isPunct("[")) {
      this.next();
      type = `[${this.typeRef()}]`;
      this.expect("]");
    } else {
      type = this.name();
    }
    if (this.isPunct("!")) {
      this.next();
      type += "!";
    }
    return type;
  }

  private directives(): void {
    while (this.isPunct("@")) {
      const t = this.next();
      throw new GraphQLSyntaxError(`Directive "@${this.peek().value}" is not supported by the stand-in`, t.loc);
    }
  }

  private selectionSet(): Selection[] {
    this.expect("{");
    const out: Selection[] = [];
    while (!this.isPunct("}")) {
      const t = this.peek();
      if (t.kind === "eof") this.fail(t);
      if (this.isPunct("...")) {
        this.next();
        if (this.peek().kind === "name" && this.peek().value === "on") {
          this.next();
          const on = this.name();
          this.directives();
          out.push({ kind: "inline", on, selections: this.selectionSet(), loc: t.loc });
        } else if (this.isPunct("{")) {
          out.push({ kind: "inline", selections: this.selectionSet(), loc: t.loc });
        } else {
          out.push({ kind: "spread", name: this.name(), loc: t.loc });
          this.directives();
        }
        continue;
      }
      let name = this.name();
      let alias: string | undefined;
      if (this.isPunct(":")) {
        this.next();
        alias = name;
        name = this.name();
      }
      const args: Record<string, Value> = {};
      if (this.isPunct("(")) {
        this.next();
        while (!this.isPunct(")")) {
          const a = this.name();
          this.expect(":");
          args[a] = this.value(false);
        }
        this.next();
      }
      this.directives();
      const selections = this.isPunct("{") ? this.selectionSet() : undefined;
      out.push({ kind: "field", alias, name, args, selections, loc: t.loc });
    }
    this.next();
    return out;
  }

  private value(constant: boolean): Value {
    const t = this.next();
    if (t.kind === "punct" && t.value === "$" && !constant) return { kind: "var", name: this.name() };
    if (t.kind === "int") return { kind: "int", value: Number(t.value) };
    if (t.kind === "float") return { kind: "float", value: Number(t.value) };
    if (t.kind === "string") return { kind: "string", value: t.value };
    if (t.kind === "name") {
      if (t.value === "true" || t.value === "false") return { kind: "boolean", value: t.value === "true" };
      if (t.value === "null") return { kind: "null" };
      return { kind: "enum", value: t.value };
    }
    if (t.kind === "punct" && t.value === "[") {
      const values: Value[] = [];
      while (!this.isPunct("]")) values.push(this.value(constant));
      this.next();
      return { kind: "list", values };
    }
    if (t.kind === "punct" && t.value === "{") {
      const fields: Record<string, Value> = {};
      while (!this.isPunct("}")) {
        const n = this.name();
        this.expect(":");
        fields[n] = this.value(constant);
      }
      this.next();
      return { kind: "object", fields };
    }
    return this.fail(t);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The schema subset (names and types as in GitHub's public schema)
// ---------------------------------------------------------------------------------------------------------------

interface FieldDef {
  type: string;
  args?: Record<string, string>;
}

const CONNECTION_ARGS = { first: "Int", after: "String", last: "Int", before: "String" };

const OBJECTS: Record<string, { implements?: string[]; fields: Record<string, FieldDef> }> = {
  Query: {
    fields: {
      repository: { type: "Repository", args: { owner: "String!", name: "String!", followRenames: "Boolean" } },
      user: { type: "User", args: { login: "String!" } },
      node: { type: "Node", args: { id: "ID!" } },
    },
  },
  Mutation: {
    fields: {
      createIssue: { type: "CreateIssuePayload", args: { input: "CreateIssueInput!" } },
      addComment: { type: "AddCommentPayload", args: { input: "AddCommentInput!" } },
      updateIssueComment: { type: "UpdateIssueCommentPayload", args: { input: "UpdateIssueCommentInput!" } },
      closeIssue: { type: "CloseIssuePayload", args: { input: "CloseIssueInput!" } },
      addSubIssue: { type: "AddSubIssuePayload", args: { input: "AddSubIssueInput!" } },
      createLabel: { type: "CreateLabelPayload", args: { input: "CreateLabelInput!" } },
      addLabelsToLabelable: { type: "AddLabelsToLabelablePayload", args: { input: "AddLabelsToLabelableInput!" } },
    },
  },
  Repository: {
    implements: ["Node"],
    fields: {
      id: { type: "ID!" },
      databaseId: { type: "Int" },
      name: { type: "String!" },
      nameWithOwner: { type: "String!" },
      url: { type: "URI!" },
      isPrivate: { type: "Boolean!" },
      hasIssuesEnabled: { type: "Boolean!" },
      object: { type: "GitObject", args: { expression: "String", oid: "GitObjectID" } },
      issue: { type: "Issue", args: { number: "Int!" } },
      labels: { type: "LabelConnection", args: { ...CONNECTION_ARGS, query: "String", orderBy: "LabelOrder" } },
      label: { type: "Label", args: { name: "String!" } },
    },
  },
  Blob: {
    implements: ["GitObject", "Node"],
    fields: { id: { type: "ID!" }, oid: { type: "GitObjectID!" }, abbreviatedOid: { type: "String!" }, text: { type: "String" }, byteSize: { type: "Int!" }, isBinary: { type: "Boolean" }, isTruncated: { type: "Boolean!" } },
  },
  Tree: {
    implements: ["GitObject", "Node"],
    fields: { id: { type: "ID!" }, oid: { type: "GitObjectID!" }, abbreviatedOid: { type: "String!" }, entries: { type: "[TreeEntry!]" } },
  },
  TreeEntry: {
    fields: {
      name: { type: "String!" },
      path: { type: "String" },
      type: { type: "String!" },
      mode: { type: "Int!" },
      oid: { type: "GitObjectID!" },
      extension: { type: "String" },
      object: { type: "GitObject" },
    },
  },
  Issue: {
    implements: ["Node", "Labelable"],
    fields: {
      id: { type: "ID!" },
      databaseId: { type: "Int" },
      number: { type: "Int!" },
      title: { type: "String!" },
      body: { type: "String!" },
      state: { type: "IssueState!" },
      stateReason: { type: "IssueStateReason" },
      closed: { type: "Boolean!" },
      closedAt: { type: "DateTime" },
      createdAt: { type: "DateTime!" },
      updatedAt: { type: "DateTime!" },
      url: { type: "URI!" },
      author: { type: "Actor" },
      repository: { type: "Repository!" },
      comments: { type: "IssueCommentConnection!", args: { ...CONNECTION_ARGS, orderBy: "IssueCommentOrder" } },
      subIssues: { type: "IssueConnection!", args: CONNECTION_ARGS },
      parent: { type: "Issue" },
      labels: { type: "LabelConnection", args: { ...CONNECTION_ARGS, orderBy: "LabelOrder" } },
      assignees: { type: "UserConnection!", args: CONNECTION_ARGS },
      subIssuesSummary: { type: "SubIssuesSummary!" },
    },
  },
  SubIssuesSummary: { fields: { total: { type: "Int!" }, completed: { type: "Int!" }, percentCompleted: { type: "Int!" } } },
  IssueComment: {
    implements: ["Node"],
    fields: {
      id: { type: "ID!" },
      databaseId: { type: "Int" },
      body: { type: "String!" },
      author: { type: "Actor" },
      url: { type: "URI!" },
      createdAt: { type: "DateTime!" },
      updatedAt: { type: "DateTime!" },
      issue: { type: "Issue!" },
    },
  },
  User: { implements: ["Actor", "Node"], fields: { id: { type: "ID!" }, databaseId: { type: "Int" }, login: { type: "String!" }, url: { type: "URI!" } } },
  Bot: { implements: ["Actor", "Node"], fields: { id: { type: "ID!" }, databaseId: { type: "Int" }, login: { type: "String!" }, url: { type: "URI!" } } },
  Label: { implements: ["Node"], fields: { id: { type: "ID!" }, name: { type: "String!" }, color: { type: "String!" }, description: { type: "String" }, url: { type: "URI!" } } },
  PageInfo: { fields: { hasNextPage: { type: "Boolean!" }, hasPreviousPage: { type: "Boolean!" }, startCursor: { type: "String" }, endCursor: { type: "String" } } },
  IssueCommentEdge: { fields: { cursor: { type: "String!" }, node: { type: "IssueComment" } } },
  IssueEdge: { fields: { cursor: { type: "String!" }, node: { type: "Issue" } } },
  LabelEdge: { fields: { cursor: { type: "String!" }, node: { type: "Label" } } },
  UserEdge: { fields: { cursor: { type: "String!" }, node: { type: "User" } } },
  CreateIssuePayload: { fields: { clientMutationId: { type: "String" }, issue: { type: "Issue" } } },
  AddCommentPayload: { fields: { clientMutationId: { type: "String" }, commentEdge: { type: "IssueCommentEdge" }, subject: { type: "Node" } } },
  UpdateIssueCommentPayload: { fields: { clientMutationId: { type: "String" }, issueComment: { type: "IssueComment" } } },
  CloseIssuePayload: { fields: { clientMutationId: { type: "String" }, issue: { type: "Issue" } } },
  AddSubIssuePayload: { fields: { clientMutationId: { type: "String" }, issue: { type: "Issue" }, subIssue: { type: "Issue" } } },
  CreateLabelPayload: { fields: { clientMutationId: { type: "String" }, label: { type: "Label" } } },
  AddLabelsToLabelablePayload: { fields: { clientMutationId: { type: "String" }, labelable: { type: "Labelable" } } },
};

for (const [conn, node] of [["IssueCommentConnection", "IssueComment"], ["IssueConnection", "Issue"], ["LabelConnection", "Label"], ["UserConnection", "User"]]) {
  OBJECTS[conn] = {
    fields: { nodes: { type: `[${node}]` }, edges: { type: `[${node}Edge]` }, totalCount: { type: "Int!" }, pageInfo: { type: "PageInfo!" } },
  };
}

const INTERFACES: Record<string, Record<string, FieldDef>> = {
  Node: { id: { type: "ID!" } },
  GitObject: { id: { type: "ID!" }, oid: { type: "GitObjectID!" }, abbreviatedOid: { type: "String!" } },
  Actor: { login: { type: "String!" }, url: { type: "URI!" } },
  Labelable: { labels: { type: "LabelConnection", args: { ...CONNECTION_ARGS, orderBy: "LabelOrder" } } },
};

const SCALARS = new Set(["String", "Int", "Float", "Boolean", "ID", "URI", "DateTime", "GitObjectID"]);
const ENUMS: Record<string, string[]> = {
  IssueState: ["OPEN", "CLOSED"],
  IssueStateReason: ["REOPENED", "NOT_PLANNED", "COMPLETED", "DUPLICATE"],
  IssueClosedStateReason: ["COMPLETED", "NOT_PLANNED", "DUPLICATE"],
};

const INPUTS: Record<string, Record<string, string>> = {
  CreateIssueInput: {
    repositoryId: "ID!",
    title: "String!",
    body: "String",
    assigneeIds: "[ID!]",
    labelIds: "[ID!]",
    milestoneId: "ID",
    projectIds: "[ID!]",
    projectV2Ids: "[ID!]",
    issueTemplate: "String",
    issueTypeId: "ID",
    parentIssueId: "ID",
    clientMutationId: "String",
  },
  AddCommentInput: { subjectId: "ID!", body: "String!", clientMutationId: "String" },
  UpdateIssueCommentInput: { id: "ID!", body: "String!", clientMutationId: "String" },
  CloseIssueInput: { issueId: "ID!", stateReason: "IssueClosedStateReason", duplicateIssueId: "ID", clientMutationId: "String" },
  AddSubIssueInput: { issueId: "ID!", subIssueId: "ID", subIssueUrl: "String", replaceParent: "Boolean", clientMutationId: "String" },
  CreateLabelInput: { repositoryId: "ID!", name: "String!", color: "String!", description: "String", clientMutationId: "String" },
  AddLabelsToLabelableInput: { labelableId: "ID!", labelIds: "[ID!]!", clientMutationId: "String" },
  LabelOrder: { field: "LabelOrderField!", direction: "OrderDirection!" },
  IssueCommentOrder: { field: "IssueCommentOrderField!", direction: "OrderDirection!" },
};
ENUMS.LabelOrderField = ["NAME", "CREATED_AT"];
ENUMS.IssueCommentOrderField = ["UPDATED_AT"];
ENUMS.OrderDirection = ["ASC", "DESC"];

function named(type: string): string {
  return type.replace(/[[\]!]/g, "");
}

function fieldsOf(type: string): Record<string, FieldDef> | undefined {
  return OBJECTS[type]?.fields ?? INTERFACES[type];
}

function possibleTypes(type: string): string[] {
  if (OBJECTS[type]) return [type];
  return Object.entries(OBJECTS)
    .filter(([, o]) => o.implements?.includes(type))
    .map(([n]) => n);
}

function isLeaf(type: string): boolean {
  const n = named(type);
  return SCALARS.has(n) || n in ENUMS;
}

function knownType(type: string): boolean {
  return Boolean(OBJECTS[type] || INTERFACES[type]);
}

// ---------------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------------

export interface GraphQLErrorJson {
  message: string;
  locations?: Loc[];
  path?: Array<string | number>;
  type?: string;
  extensions?: Record<string, unknown>;
}

/** An execution error (`type` as GitHub's: NOT_FOUND, UNPROCESSABLE, FORBIDDEN): the field becomes null. */
export class ExecError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Validation (the whole document, before anything runs)
// ---------------------------------------------------------------------------------------------------------------

function describeValue(v: Value): string {
  switch (v.kind) {
    case "var":
      return `$${v.name}`;
    case "string":
      return JSON.stringify(v.value);
    case "null":
      return "null";
    case "list":
      return `[${v.values.map(describeValue).join(", ")}]`;
    case "object":
      return `{${Object.entries(v.fields).map(([k, x]) => `${k}: ${describeValue(x)}`).join(", ")}}`;
    default:
      return String(v.value);
  }
}

/** Checks a JSON value (from variables, or a literal turned into JSON) against an input type; returns the problems. */
function inputProblems(value: unknown, type: string, path: Array<string | number>): Array<{ path: Array<string | number>; explanation: string }> {
  const nonNull = type.endsWith("!");
  const inner = nonNull ? type.slice(0, -1) : type;
  if (value === null || value === undefined) return nonNull ? [{ path, explanation: "Expected value to not be null" }] : [];
  if (inner.startsWith("[")) {
    const item = inner.slice(1, -1);
    const list = Array.isArray(value) ? value : [value];
    return list.flatMap((v, i) => inputProblems(v, item, [...path, i]));
  }
  if (INPUTS[inner]) {
    if (typeof value !== "object" || Array.isArray(value)) return [{ path, explanation: `Expected value to be an object` }];
    const fields = INPUTS[inner];
    const out: Array<{ path: Array<string | number>; explanation: string }> = [];
    for (const key of Object.keys(value)) if (!(key in fields)) out.push({ path: [...path, key], explanation: `Field is not defined on ${inner}` });
    for (const [key, t] of Object.entries(fields)) out.push(...inputProblems((value as Record<string, unknown>)[key], t, [...path, key]));
    return out;
  }
  if (ENUMS[inner]) return ENUMS[inner].includes(String(value)) ? [] : [{ path, explanation: `Expected "${String(value)}" to be one of: ${ENUMS[inner].join(", ")}` }];
  const ok =
    inner === "Int" ? Number.isInteger(value) : inner === "Float" ? typeof value === "number" : inner === "Boolean" ? typeof value === "boolean" : inner === "ID" ? typeof value === "string" || Number.isInteger(value) : typeof value === "string";
  return ok ? [] : [{ path, explanation: `Could not coerce value ${JSON.stringify(value)} to ${inner}` }];
}

function literalToJson(v: Value, vars: Record<string, unknown>): unknown {
  switch (v.kind) {
    case "var":
      return vars[v.name];
    case "null":
      return null;
    case "list":
      return v.values.map((x) => literalToJson(x, vars));
    case "object":
      return Object.fromEntries(Object.entries(v.fields).map(([k, x]) => [k, literalToJson(x, vars)]));
    default:
      return v.value;
  }
}

/** `[ID!]` accepts `[ID!]!`, `ID!` accepts `ID!` (GraphQL's variable-usage rule, simplified to exact named types). */
function variableFits(varType: string, argType: string, hasDefault: boolean): boolean {
  if (argType.endsWith("!") && !varType.endsWith("!") && !hasDefault) return false;
  const strip = (t: string) => (t.endsWith("!") ? t.slice(0, -1) : t);
  const a = strip(varType);
  const b = strip(argType);
  if (a.startsWith("[") !== b.startsWith("[")) return false;
  if (a.startsWith("[")) return variableFits(a.slice(1, -1), b.slice(1, -1), false);
  return a === b;
}

function validate(op: OperationNode, fragments: Parser["fragments"], variables: Record<string, unknown>): GraphQLErrorJson[] {
  const errors: GraphQLErrorJson[] = [];
  const declared = new Map(op.variables.map((v) => [v.name, v]));
  const used = new Set<string>();
  const opPath = op.operation + (op.name ? ` ${op.name}` : "");

  for (const v of op.variables) {
    const n = named(v.type);
    if (!SCALARS.has(n) && !ENUMS[n] && !INPUTS[n]) {
      errors.push({ message: `${n} isn't a defined input type (on $${v.name})`, locations: [v.loc], path: [opPath], extensions: { code: "variableRequiresValidType", typeName: n, variableName: v.name } });
      continue;
    }
    const value = v.name in variables ? variables[v.name] : v.default ? literalToJson(v.default, {}) : undefined;
    const problems = inputProblems(value, v.type, []);
    if (problems.length) {
      errors.push({
        message: `Variable $${v.name} of type ${v.type} was provided invalid value${problems[0].path.length ? ` for ${problems.map((p) => p.path.join(".")).join(", ")}` : ""}`,
        locations: [v.loc],
        extensions: { value: value ?? null, problems },
      });
    }
  }

  const checkArgs = (parentType: string, field: FieldNode, def: FieldDef, path: Array<string | number>) => {
    const args = def.args ?? {};
    for (const [name, value] of Object.entries(field.args)) {
      if (!(name in args)) {
        errors.push({
          message: `Field '${field.name}' doesn't accept argument '${name}'`,
          locations: [field.loc],
          path: [...path, name],
          extensions: { code: "argumentNotAccepted", name: field.name, typeName: "Field", argumentName: name },
        });
        continue;
      }
      const collect = (v: Value) => {
        if (v.kind === "var") used.add(v.name);
        if (v.kind === "list") v.values.forEach(collect);
        if (v.kind === "object") Object.values(v.fields).forEach(collect);
      };
      collect(value);
      if (value.kind === "var") {
        const decl = declared.get(value.name);
        if (!decl) {
          errors.push({ message: `Variable $${value.name} is used by ${opPath} but not declared`, locations: [field.loc], path: [...path, name], extensions: { code: "variableNotDefined", variableName: value.name } });
        } else if (!variableFits(decl.type, args[name], decl.default !== undefined)) {
          errors.push({
            message: `Type mismatch on variable $${value.name} and argument ${name} (${decl.type} / ${args[name]})`,
            locations: [field.loc],
            path: [...path, name],
            extensions: { code: "variableMismatch", variableName: value.name, typeName: decl.type, argumentName: name, errorMessage: "Type mismatch" },
          });
        }
      } else if (!value.kind.startsWith("var")) {
        const hasVars = JSON.stringify(value).includes('"kind":"var"');
        if (!hasVars && inputProblems(literalToJson(value, {}), args[name], []).length) {
          errors.push({
            message: `Argument '${name}' on Field '${field.name}' has an invalid value (${describeValue(value)}). Expected type '${args[name]}'.`,
            locations: [field.loc],
            path: [...path, name],
            extensions: { code: "argumentLiteralsIncompatible", typeName: "Field", argumentName: name },
          });
        }
      }
    }
    const missing = Object.entries(args)
      .filter(([n, t]) => t.endsWith("!") && !(n in field.args))
      .map(([n]) => n);
    if (missing.length) {
      errors.push({
        message: `Field '${field.name}' is missing required arguments: ${missing.join(", ")}`,
        locations: [field.loc],
        path,
        extensions: { code: "missingRequiredArguments", className: "Field", name: field.name, arguments: missing.join(", ") },
      });
    }
    void parentType;
  };

  const walk = (type: string, selections: Selection[], path: Array<string | number>, seenFragments: Set<string>) => {
    for (const sel of selections) {
      if (sel.kind === "spread") {
        const frag = fragments.get(sel.name);
        if (!frag) {
          errors.push({ message: `Fragment ${sel.name} was used, but not defined`, locations: [sel.loc], path, extensions: { code: "useAndDefineFragment", fragmentName: sel.name } });
          continue;
        }
        if (seenFragments.has(sel.name)) continue;
        walk(frag.on, frag.selections, path, new Set([...seenFragments, sel.name]));
        continue;
      }
      if (sel.kind === "inline") {
        const on = sel.on ?? type;
        if (!knownType(on)) {
          errors.push({ message: `No such type ${on}, so it can't be a fragment condition`, locations: [sel.loc], path: [...path, `... on ${on}`], extensions: { code: "undefinedType", typeName: on } });
          continue;
        }
        const overlap = possibleTypes(on).some((t) => possibleTypes(type).includes(t));
        if (!overlap) {
          errors.push({ message: `Fragment on ${on} can't be spread inside ${type}`, locations: [sel.loc], path: [...path, `... on ${on}`], extensions: { code: "fragmentSpreadImpossible", typeName: on } });
          continue;
        }
        walk(on, sel.selections, [...path, `... on ${on}`], seenFragments);
        continue;
      }
      const here = [...path, sel.alias ?? sel.name];
      if (sel.name === "__typename") {
        if (sel.selections) errors.push({ message: `Selections can't be made on scalars (field '__typename' returns String! but has selections)`, locations: [sel.loc], path: here, extensions: { code: "selectionMismatch" } });
        continue;
      }
      const def = fieldsOf(type)?.[sel.name];
      if (!def) {
        errors.push({
          message: `Field '${sel.name}' doesn't exist on type '${type}'`,
          locations: [sel.loc],
          path: here,
          extensions: { code: "undefinedField", typeName: type, fieldName: sel.name },
        });
        continue;
      }
      checkArgs(type, sel, def, here);
      const result = named(def.type);
      if (isLeaf(def.type)) {
        if (sel.selections) {
          errors.push({
            message: `Selections can't be made on ${result in ENUMS ? "enums" : "scalars"} (field '${sel.name}' returns ${def.type} but has selections [${sel.selections.map((s) => (s.kind === "field" ? s.name : "...")).join(", ")}])`,
            locations: [sel.loc],
            path: here,
            extensions: { code: "selectionMismatch", nodeName: `field '${sel.name}'`, typeName: def.type },
          });
        }
      } else if (!sel.selections) {
        errors.push({
          message: `Field must have selections (field '${sel.name}' returns ${result} but has no selections. Did you mean '${sel.name} { ... }'?)`,
          locations: [sel.loc],
          path: here,
          extensions: { code: "selectionMismatch", nodeName: `field '${sel.name}'`, typeName: result },
        });
      } else {
        walk(result, sel.selections, here, seenFragments);
      }
    }
  };

  const root = op.operation === "query" ? "Query" : op.operation === "mutation" ? "Mutation" : "";
  if (!root) {
    errors.push({ message: "Schema is not configured for subscriptions", locations: [op.loc], path: [opPath], extensions: { code: "missingSubscriptionConfiguration" } });
    return errors;
  }
  walk(root, op.selections, [opPath], new Set());
  for (const v of op.variables) {
    if (!used.has(v.name)) {
      errors.push({ message: `Variable $${v.name} is declared by ${op.name ?? "anonymous " + op.operation} but not used`, locations: [v.loc], path: [opPath], extensions: { code: "variableNotUsed", variableName: v.name } });
    }
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------------------------
// Execution
// ---------------------------------------------------------------------------------------------------------------

/** What the executor needs from the stand-in's state. */
export interface GraphQLHost {
  /** "http://127.0.0.1:PORT" (web URLs: issues, repositories). */
  webUrl: string;
  actor: { user: StandInUserRef; app: { id: number; slug: string } | null };
  repoByName(owner: string, name: string): RepoState | undefined;
  repos(): Iterable<RepoState>;
  issueById(id: number): { repo: RepoState; issue: StandInIssue } | undefined;
  userId(login: string): number;
  userLogin(id: number): string | undefined;
  createIssue(repo: RepoState, fields: { title: string; body: string | null; labels: string[]; assignees: string[] }): StandInIssue;
  addComment(repo: RepoState, issue: StandInIssue, body: string): StandInComment;
  /** Links child under parent with the REST endpoint's rules; throws an Error with GitHub's message otherwise. */
  linkSubIssue(repo: RepoState, parent: StandInIssue, child: StandInIssue, replaceParent: boolean): void;
  ensureLabel(repo: RepoState, name: string, color?: string, description?: string | null): LabelState;
  closeIssue(issue: StandInIssue, reason: string): void;
  checkBody(text: string, resource: string): void;
  touch(issue: StandInIssue): void;
}

type Obj = { __typename: string } & Record<string, unknown>;

function decodeNodeId(id: unknown): { prefix: string; id: number } | undefined {
  if (typeof id !== "string") return undefined;
  const m = /^([A-Z]+)_(.+)$/.exec(id);
  if (!m) return undefined;
  const text = Buffer.from(m[2], "base64url").toString("utf8");
  const n = /^standin:(\d+)$/.exec(text);
  return n ? { prefix: m[1], id: Number(n[1]) } : undefined;
}

function nodeIdOf(prefix: string, id: number): string {
  return `${prefix}_${Buffer.from(`standin:${id}`).toString("base64url")}`;
}

function gitSha(kind: "blob" | "tree", text: string): string {
  // Same as `git hash-object` for blobs; a stable stand-in id for trees.
  const buf = Buffer.from(text, "utf8");
  return createHash("sha1").update(`${kind} ${buf.length}\0`).update(buf).digest("hex");
}

class Executor {
  readonly errors: GraphQLErrorJson[] = [];
  constructor(
    private readonly host: GraphQLHost,
    private readonly vars: Record<string, unknown>,
    private readonly fragments: Parser["fragments"],
  ) {}

  args(field: FieldNode): Record<string, unknown> {
    return Object.fromEntries(Object.entries(field.args).map(([k, v]) => [k, literalToJson(v, this.vars)]));
  }

  /** Collects the fields to resolve on a value of concrete type `type`, following fragments whose condition applies. */
  collect(type: string, selections: Selection[], out: FieldNode[] = []): FieldNode[] {
    for (const sel of selections) {
      if (sel.kind === "field") out.push(sel);
      else if (sel.kind === "inline") {
        if (!sel.on || possibleTypes(sel.on).includes(type)) this.collect(type, sel.selections, out);
      } else {
        const frag = this.fragments.get(sel.name)!;
        if (possibleTypes(frag.on).includes(type)) this.collect(type, frag.selections, out);
      }
    }
    return out;
  }

  selectObject(value: Obj, selections: Selection[], path: Array<string | number>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const field of this.collect(value.__typename, selections)) {
      const key = field.alias ?? field.name;
      if (key in out && field.name !== "__typename" && !field.selections) continue;
      out[key] = this.resolveField(value, field, [...path, key]);
    }
    return out;
  }

  resolveField(parent: Obj, field: FieldNode, path: Array<string | number>): unknown {
    if (field.name === "__typename") return parent.__typename;
    const def = fieldsOf(parent.__typename)![field.name];
    let raw: unknown;
    try {
      raw = this.resolve(parent, field.name, this.args(field), field);
    } catch (error) {
      if (!(error instanceof ExecError)) throw error;
      this.errors.push({ type: error.type, path, locations: [field.loc], message: error.message });
      return null;
    }
    return this.complete(raw, def.type, field, path);
  }

  complete(raw: unknown, type: string, field: FieldNode, path: Array<string | number>): unknown {
    if (raw === null || raw === undefined) return null;
    const inner = type.endsWith("!") ? type.slice(0, -1) : type;
    if (inner.startsWith("[")) return (raw as unknown[]).map((x, i) => this.complete(x, inner.slice(1, -1), field, [...path, i]));
    if (isLeaf(inner)) return raw;
    // An object type names the value's type (connections, payloads); an interface's value carries its own.
    const value = OBJECTS[inner] ? { ...(raw as Obj), __typename: inner } : (raw as Obj);
    return this.selectObject(value, field.selections ?? [], path);
  }

  private connection(items: Obj[], args: Record<string, unknown>, fieldName: string): Obj {
    const first = args.first as number | undefined;
    const last = args.last as number | undefined;
    if (first === undefined && last === undefined) {
      throw new ExecError("MISSING_PAGINATION_BOUNDARIES", `You must provide a \`first\` or \`last\` value to properly paginate the \`${fieldName}\` connection.`);
    }
    for (const [name, n] of [["first", first], ["last", last]] as const) {
      if (n !== undefined && (n < 0 || n > 100)) {
        throw new ExecError("EXCESSIVE_PAGINATION", `Requesting ${n} records on the \`${fieldName}\` connection exceeds the \`${name}\` limit of 100 records.`);
      }
    }
    const cursor = (i: number) => Buffer.from(`cursor:v2:${i}`).toString("base64");
    const offset = (c: unknown) => Number(/^cursor:v2:(\d+)$/.exec(Buffer.from(String(c), "base64").toString())?.[1] ?? -1);
    let start = args.after !== undefined && args.after !== null ? offset(args.after) + 1 : 0;
    let end = args.before !== undefined && args.before !== null ? offset(args.before) : items.length;
    if (first !== undefined) end = Math.min(end, start + first);
    if (last !== undefined) start = Math.max(start, end - last);
    const page = items.slice(start, end);
    return {
      __typename: `${items[0]?.__typename ?? "Node"}Connection`,
      nodes: page,
      edges: page.map((node, i) => ({ __typename: `${node.__typename}Edge`, node, cursor: cursor(start + i) })),
      totalCount: items.length,
      pageInfo: { __typename: "PageInfo", hasNextPage: end < items.length, hasPreviousPage: start > 0, startCursor: page.length ? cursor(start) : null, endCursor: page.length ? cursor(end - 1) : null },
    };
  }

  // ----- values -----

  repoObj(repo: RepoState): Obj {
    return { __typename: "Repository", repo };
  }

  issueObj(repo: RepoState, issue: StandInIssue): Obj {
    return { __typename: "Issue", repo, issue };
  }

  commentObj(repo: RepoState, issue: StandInIssue, comment: StandInComment): Obj {
    return { __typename: "IssueComment", repo, issue, comment };
  }

  actorObj(user: StandInUserRef): Obj {
    const id = this.host.userId(user.login);
    // GraphQL names an app's bot by its slug: REST's `config-triage[bot]` is the Bot `config-triage` here.
    return user.type === "Bot"
      ? { __typename: "Bot", id: nodeIdOf("BOT", id), databaseId: id, login: user.login.replace(/\[bot\]$/, ""), url: `${this.host.webUrl}/apps/${user.login.replace(/\[bot\]$/, "")}` }
      : { __typename: "User", id: nodeIdOf("U", id), databaseId: id, login: user.login, url: `${this.host.webUrl}/${user.login}` };
  }

  labelObj(repo: RepoState, l: LabelState): Obj {
    return { __typename: "Label", id: l.node_id, name: l.name, color: l.color, description: l.description, url: `${this.host.webUrl}/${repo.fullName}/labels/${encodeURIComponent(l.name)}` };
  }

  gitObject(repo: RepoState, expression: string): Obj | null {
    const m = /^([^:]+):(.*)$/.exec(expression);
    if (!m) return null;
    const [, rev, rawPath] = m;
    if (rev !== "HEAD" && rev !== repo.defaultBranch) return null;
    const path = rawPath.replace(/^\/+|\/+$/g, "");
    const text = repo.files.get(path);
    if (text !== undefined) return this.blobObj(text);
    const prefix = path === "" ? "" : `${path}/`;
    const entries = new Map<string, "blob" | "tree">();
    for (const f of repo.files.keys()) {
      if (!f.startsWith(prefix)) continue;
      const [head, ...tail] = f.slice(prefix.length).split("/");
      entries.set(head, tail.length ? "tree" : "blob");
    }
    if (entries.size === 0 && path !== "") return null;
    const oid = gitSha("tree", `${repo.fullName}:${path}`);
    return {
      __typename: "Tree",
      id: nodeIdOf("T", parseInt(oid.slice(0, 8), 16)),
      oid,
      abbreviatedOid: oid.slice(0, 7),
      entries: [...entries.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, type]) => {
          const full = prefix + name;
          const object = type === "blob" ? this.blobObj(repo.files.get(full)!) : this.gitObject(repo, `HEAD:${full}`);
          return {
            __typename: "TreeEntry",
            name,
            path: full,
            type,
            mode: type === "blob" ? 33188 : 16384,
            oid: object?.oid,
            extension: type === "blob" && name.includes(".") ? name.slice(name.lastIndexOf(".")) : null,
            object,
          };
        }),
    };
  }

  blobObj(text: string): Obj {
    const oid = gitSha("blob", text);
    return { __typename: "Blob", id: nodeIdOf("B", parseInt(oid.slice(0, 8), 16)), oid, abbreviatedOid: oid.slice(0, 7), text, byteSize: Buffer.byteLength(text), isBinary: false, isTruncated: false };
  }

  // ----- lookups by node id -----

  issueByNode(id: unknown, what: string): { repo: RepoState; issue: StandInIssue } {
    const d = decodeNodeId(id);
    const found = d && d.prefix === "I" ? this.host.issueById(d.id) : undefined;
    if (!found) throw new ExecError("NOT_FOUND", `Could not resolve to a node with the global id of '${String(id)}'${what ? ` (${what})` : ""}`);
    return found;
  }

  repoByNode(id: unknown): RepoState {
    for (const repo of this.host.repos()) if (repo.node_id === id) return repo;
    throw new ExecError("NOT_FOUND", `Could not resolve to a node with the global id of '${String(id)}'`);
  }

  commentByNode(id: unknown): { repo: RepoState; issue: StandInIssue; comment: StandInComment } {
    for (const repo of this.host.repos()) {
      for (const issue of repo.issues) {
        const comment = issue.comments.find((c) => c.node_id === id);
        if (comment) return { repo, issue, comment };
      }
    }
    throw new ExecError("NOT_FOUND", `Could not resolve to a node with the global id of '${String(id)}'`);
  }

  // ----- resolvers -----

  resolve(parent: Obj, name: string, args: Record<string, unknown>, field: FieldNode): unknown {
    const host = this.host;
    switch (parent.__typename) {
      case "Query":
        if (name === "repository") {
          const repo = host.repoByName(String(args.owner), String(args.name));
          if (!repo) throw new ExecError("NOT_FOUND", `Could not resolve to a Repository with the name '${String(args.owner)}/${String(args.name)}'.`);
          return this.repoObj(repo);
        }
        if (name === "user") {
          const login = String(args.login);
          if (login.endsWith("[bot]") || !/^[A-Za-z0-9-]+$/.test(login)) throw new ExecError("NOT_FOUND", `Could not resolve to a User with the login of '${login}'.`);
          return this.actorObj({ login, type: "User" });
        }
        if (name === "node") {
          const d = decodeNodeId(args.id);
          const issue = d?.prefix === "I" ? host.issueById(d.id) : undefined;
          if (issue) return this.issueObj(issue.repo, issue.issue);
          throw new ExecError("NOT_FOUND", `Could not resolve to a node with the global id of '${String(args.id)}'`);
        }
        break;
      case "Repository": {
        const repo = parent.repo as RepoState;
        switch (name) {
          case "id":
            return repo.node_id;
          case "databaseId":
            return repo.id;
          case "name":
            return repo.name;
          case "nameWithOwner":
            return repo.fullName;
          case "url":
            return `${host.webUrl}/${repo.fullName}`;
          case "isPrivate":
            return repo.private;
          case "hasIssuesEnabled":
            return true;
          case "object":
            return args.expression === undefined ? null : this.gitObject(repo, String(args.expression));
          case "issue": {
            const issue = repo.issues.find((i) => i.number === args.number && !i.pull_request);
            if (!issue) throw new ExecError("NOT_FOUND", `Could not resolve to an Issue with the number of ${String(args.number)}.`);
            return this.issueObj(repo, issue);
          }
          case "labels": {
            let labels = [...repo.labels.values()];
            if (typeof args.query === "string") labels = labels.filter((l) => l.name.toLowerCase().includes(String(args.query).toLowerCase()));
            labels.sort((a, b) => a.name.localeCompare(b.name));
            return this.connection(labels.map((l) => this.labelObj(repo, l)), args, field.name);
          }
          case "label": {
            const l = repo.labels.get(String(args.name).toLowerCase());
            return l ? this.labelObj(repo, l) : null;
          }
        }
        break;
      }
      case "Issue": {
        const repo = parent.repo as RepoState;
        const issue = parent.issue as StandInIssue;
        const children = () => issue.sub_issues.map((id) => host.issueById(id)).filter((x): x is { repo: RepoState; issue: StandInIssue } => !!x);
        switch (name) {
          case "id":
            return issue.node_id;
          case "databaseId":
            return issue.id;
          case "number":
            return issue.number;
          case "title":
            return issue.title;
          case "body":
            return issue.body ?? "";
          case "state":
            return issue.state.toUpperCase();
          case "stateReason":
            return issue.state_reason ? issue.state_reason.toUpperCase() : null;
          case "closed":
            return issue.state === "closed";
          case "closedAt":
            return issue.closed_at;
          case "createdAt":
            return issue.created_at;
          case "updatedAt":
            return issue.updated_at;
          case "url":
            return `${host.webUrl}/${repo.fullName}/issues/${issue.number}`;
          case "author":
            return this.actorObj(issue.user);
          case "repository":
            return this.repoObj(repo);
          case "comments":
            return this.connection(issue.comments.map((c) => this.commentObj(repo, issue, c)), args, field.name);
          case "subIssues":
            return this.connection(children().map((c) => this.issueObj(c.repo, c.issue)), args, field.name);
          case "parent": {
            const p = issue.parent !== null ? host.issueById(issue.parent) : undefined;
            return p ? this.issueObj(p.repo, p.issue) : null;
          }
          case "labels":
            return this.connection(issue.labels.map((l) => this.labelObj(repo, host.ensureLabel(repo, l))), args, field.name);
          case "assignees":
            return this.connection(issue.assignees.map((a) => this.actorObj({ login: a, type: "User" })), args, field.name);
          case "subIssuesSummary": {
            const all = children();
            const completed = all.filter((c) => c.issue.state === "closed").length;
            return { __typename: "SubIssuesSummary", total: all.length, completed, percentCompleted: all.length ? Math.floor((completed * 100) / all.length) : 0 };
          }
        }
        break;
      }
      case "IssueComment": {
        const repo = parent.repo as RepoState;
        const issue = parent.issue as StandInIssue;
        const c = parent.comment as StandInComment;
        switch (name) {
          case "id":
            return c.node_id;
          case "databaseId":
            return c.id;
          case "body":
            return c.body;
          case "author":
            return this.actorObj(c.user);
          case "url":
            return `${host.webUrl}/${repo.fullName}/issues/${issue.number}#issuecomment-${c.id}`;
          case "createdAt":
            return c.created_at;
          case "updatedAt":
            return c.updated_at;
          case "issue":
            return this.issueObj(repo, issue);
        }
        break;
      }
      case "Mutation":
        return this.mutate(name, args.input as Record<string, unknown>);
      default:
        // Plain objects (Blob, Tree, Bot, Label, connections, payloads) carry their fields.
        if (name in parent) return parent[name];
        return null;
    }
    throw new Error(`stand-in GraphQL: no resolver for ${parent.__typename}.${name}`);
  }

  mutate(name: string, input: Record<string, unknown>): Obj {
    const host = this.host;
    const clientMutationId = input.clientMutationId ?? null;
    const wrap = (typename: string, fields: Record<string, unknown>): Obj => ({ __typename: typename, clientMutationId, ...fields });
    const fail = (message: string): never => {
      throw new ExecError("UNPROCESSABLE", message);
    };
    switch (name) {
      case "createIssue": {
        const repo = this.repoByNode(input.repositoryId);
        const title = String(input.title);
        if (title.trim() === "") fail("Title can't be blank");
        if (typeof input.body === "string") host.checkBody(input.body, "Issue");
        const labels = ((input.labelIds as string[] | undefined) ?? []).map((id) => {
          const l = [...repo.labels.values()].find((x) => x.node_id === id);
          if (!l) throw new ExecError("NOT_FOUND", `Could not resolve to a node with the global id of '${id}'`);
          return l.name;
        });
        const assignees = ((input.assigneeIds as string[] | undefined) ?? []).map((id) => {
          const d = decodeNodeId(id);
          const login = d && (d.prefix === "U" || d.prefix === "BOT") ? host.userLogin(d.id) : undefined;
          if (!login) throw new ExecError("NOT_FOUND", `Could not resolve to a node with the global id of '${id}'`);
          return login;
        });
        const parent = input.parentIssueId !== undefined && input.parentIssueId !== null ? this.issueByNode(input.parentIssueId, "parentIssueId") : undefined;
        if (parent && parent.issue.sub_issues.length >= 100) fail("Parent cannot have more than 100 sub-issues");
        const issue = host.createIssue(repo, { title, body: typeof input.body === "string" ? input.body : null, labels, assignees });
        if (parent) host.linkSubIssue(parent.repo, parent.issue, issue, false);
        return wrap("CreateIssuePayload", { issue: this.issueObj(repo, issue) });
      }
      case "addComment": {
        const { repo, issue } = this.issueByNode(input.subjectId, "subjectId");
        host.checkBody(String(input.body), "IssueComment");
        const comment = host.addComment(repo, issue, String(input.body));
        const node = this.commentObj(repo, issue, comment);
        return wrap("AddCommentPayload", {
          commentEdge: { __typename: "IssueCommentEdge", node, cursor: Buffer.from(`cursor:v2:${issue.comments.length - 1}`).toString("base64") },
          subject: this.issueObj(repo, issue),
        });
      }
      case "updateIssueComment": {
        const { repo, issue, comment } = this.commentByNode(input.id);
        host.checkBody(String(input.body), "IssueComment");
        comment.body = String(input.body);
        comment.updated_at = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
        return wrap("UpdateIssueCommentPayload", { issueComment: this.commentObj(repo, issue, comment) });
      }
      case "closeIssue": {
        const { repo, issue } = this.issueByNode(input.issueId, "issueId");
        host.closeIssue(issue, String(input.stateReason ?? "COMPLETED").toLowerCase());
        return wrap("CloseIssuePayload", { issue: this.issueObj(repo, issue) });
      }
      case "addSubIssue": {
        const parent = this.issueByNode(input.issueId, "issueId");
        let child: { repo: RepoState; issue: StandInIssue } | undefined;
        if (input.subIssueId !== undefined && input.subIssueId !== null) child = this.issueByNode(input.subIssueId, "subIssueId");
        else if (typeof input.subIssueUrl === "string") {
          const m = new RegExp(`^${host.webUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/([^/]+)/([^/]+)/issues/(\\d+)$`).exec(input.subIssueUrl);
          const repo = m ? host.repoByName(m[1], m[2]) : undefined;
          const issue = repo?.issues.find((i) => i.number === Number(m![3]));
          if (!repo || !issue) throw new ExecError("NOT_FOUND", `Could not resolve to an Issue with the URL of '${input.subIssueUrl}'.`);
          child = { repo, issue };
        } else {
          fail("One of subIssueId or subIssueUrl is required");
        }
        host.linkSubIssue(parent.repo, parent.issue, child!.issue, input.replaceParent === true);
        return wrap("AddSubIssuePayload", { issue: this.issueObj(parent.repo, parent.issue), subIssue: this.issueObj(child!.repo, child!.issue) });
      }
      case "addLabelsToLabelable": {
        const { repo, issue } = this.issueByNode(input.labelableId, "labelableId");
        for (const id of input.labelIds as string[]) {
          const l = [...repo.labels.values()].find((x) => x.node_id === id);
          if (!l) throw new ExecError("NOT_FOUND", `Could not resolve to a node with the global id of '${id}'`);
          if (!issue.labels.some((n) => n.toLowerCase() === l.name.toLowerCase())) issue.labels.push(l.name);
        }
        host.touch(issue);
        return wrap("AddLabelsToLabelablePayload", { labelable: this.issueObj(repo, issue) });
      }
      case "createLabel": {
        const repo = this.repoByNode(input.repositoryId);
        const labelName = String(input.name);
        if (repo.labels.has(labelName.toLowerCase())) fail("Name has already been taken");
        if (!/^[0-9a-fA-F]{6}$/.test(String(input.color))) fail("Color is invalid");
        const label = host.ensureLabel(repo, labelName, String(input.color).toLowerCase(), (input.description as string | undefined) ?? null);
        return wrap("CreateLabelPayload", { label: this.labelObj(repo, label) });
      }
    }
    throw new Error(`stand-in GraphQL: no mutation ${name}`);
  }
}

/** The answer to one POST /graphql: HTTP status and JSON body, plus violations (requests GitHub would refuse). */
export function executeGraphQL(host: GraphQLHost, body: unknown): { status: number; body: unknown; violations: string[] } {
  const request = (body ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown };
  if (typeof request.query !== "string") {
    return { status: 200, body: { errors: [{ message: "A query attribute must be specified and must be a string." }] }, violations: ["GraphQL: no query string in the request body"] };
  }
  const variables = (request.variables && typeof request.variables === "object" ? request.variables : {}) as Record<string, unknown>;
  let ops: OperationNode[];
  const parser = new Parser([]);
  try {
    const p = new Parser(tokenize(request.query));
    ops = p.document();
    for (const [k, v] of p.fragments) parser.fragments.set(k, v);
  } catch (error) {
    if (!(error instanceof GraphQLSyntaxError)) throw error;
    return { status: 200, body: { errors: [{ message: error.message, locations: [error.loc] }] }, violations: [`GraphQL syntax: ${error.message}`] };
  }
  const op = request.operationName ? ops.find((o) => o.name === request.operationName) : ops.length === 1 ? ops[0] : undefined;
  if (!op) {
    const message = ops.length ? `An operation name is required` : "No operations in the document";
    return { status: 200, body: { errors: [{ message }] }, violations: [`GraphQL: ${message}`] };
  }
  const errors = validate(op, parser.fragments, variables);
  if (errors.length) return { status: 200, body: { errors }, violations: errors.map((e) => `GraphQL: ${e.message}`) };

  const exec = new Executor(host, variables, parser.fragments);
  const root: Obj = { __typename: op.operation === "query" ? "Query" : "Mutation" };
  const data = exec.selectObject(root, op.selections, []);
  const violations = exec.errors.filter((e) => e.type === "MISSING_PAGINATION_BOUNDARIES" || e.type === "EXCESSIVE_PAGINATION").map((e) => `GraphQL: ${e.message}`);
  return { status: 200, body: exec.errors.length ? { data, errors: exec.errors } : { data }, violations };
}
