/**
 * The GraphQL side of the GitHub stand-in: graphql-js executing on GitHub's published schema
 * (`@octokit/graphql-schema`), with the resolvers of `github-standin-graphql-resolvers.ts` over the in-memory state.
 *
 * It behaves like GitHub where a client could notice:
 * - every document is parsed and validated against the whole schema first; a field, argument, type or input field the
 *   schema does not have is an error in GitHub's words and codes (`Field 'x' doesn't exist on type 'Issue'`,
 *   extensions.code `undefinedField`), HTTP 200 and no `data`, and is recorded as a violation;
 * - scalars are GitHub's: `Int` is 32-bit, so `databaseId` on an object whose id is past 2^31 answers "Int cannot
 *   represent non 32-bit signed integer value" (a violation too: the client asked for what it cannot get), while
 *   `fullDatabaseId` (`BigInt`) comes as a string;
 * - execution errors (`NOT_FOUND`, `UNPROCESSABLE`, missing or excessive pagination) carry `type`, `path` and
 *   `locations` and null their field; mutations run one after the other in document order.
 */
import { schema as published } from "@octokit/graphql-schema";
import {
  buildSchema,
  execute,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  parse,
  validate,
  visit,
  type ASTNode,
  type DocumentNode,
  type OperationDefinitionNode,
} from "graphql";
import { createRoot, ExecError, type GraphQLHost } from "./github-standin-graphql-resolvers.js";

export { ExecError, type GraphQLHost };

let schemaCache: GraphQLSchema | undefined;

/**
 * What GitHub's schema has and the published package (15.26.1) predates: issue types (GitHub's GraphQL reference
 * documents `Issue.issueType`, `IssueType` and `CreateIssueInput.issueTypeId` since issue types became generally
 * available in 2025). Added here so a client that uses them is checked like any other field.
 */
const NEWER_THAN_PUBLISHED = `
type IssueType implements Node {
  id: ID!
  name: String!
  description: String
  isEnabled: Boolean!
}
extend type Issue {
  issueType: IssueType
}
extend input CreateIssueInput {
  issueTypeId: ID
}
`;

/** GitHub's published schema, built once per process (~0.3 s). `assumeValidSDL`: the SDL repeats one field. */
export function gitHubSchema(): GraphQLSchema {
  schemaCache ??= buildSchema(published.idl + NEWER_THAN_PUBLISHED, { assumeValidSDL: true });
  return schemaCache;
}

export interface GraphQLErrorJson {
  message: string;
  locations?: Array<{ line: number; column: number }>;
  path?: Array<string | number>;
  type?: string;
  extensions?: Record<string, unknown>;
}

/** GitHub's path for a validation error: the operation, then each field's alias or name and each fragment's type. */
function documentPath(document: DocumentNode, target: ASTNode | undefined): Array<string | number> | undefined {
  if (!target) return undefined;
  let found: Array<string | number> | undefined;
  visit(document, {
    enter(node, _key, _parent, _path, ancestors) {
      if (found) return false;
      if (node !== target) return undefined;
      found = [];
      for (const a of [...ancestors, node] as ASTNode[]) {
        if (Array.isArray(a) || !("kind" in a)) continue;
        if (a.kind === Kind.OPERATION_DEFINITION) found.push(a.operation + (a.name ? ` ${a.name.value}` : ""));
        else if (a.kind === Kind.FRAGMENT_DEFINITION) found.push(`fragment ${a.name.value}`);
        else if (a.kind === Kind.FIELD) found.push(a.alias?.value ?? a.name.value);
        else if (a.kind === Kind.INLINE_FRAGMENT) found.push(`... on ${a.typeCondition?.name.value ?? ""}`);
        else if (a.kind === Kind.ARGUMENT) found.push(a.name.value);
      }
      return false;
    },
  });
  return found;
}

/**
 * GitHub's wording and `extensions.code` for graphql-js's validation errors, for the rules a client hits (a client may
 * key on the codes: config-triage falls back to REST on a schema error). Others keep graphql-js's message.
 */
function gitHubValidationError(document: DocumentNode, e: GraphQLError): GraphQLErrorJson {
  const base = { locations: e.locations ? [...e.locations] : undefined, path: documentPath(document, e.nodes?.[0]) };
  const msg = e.message;
  let m: RegExpExecArray | null;
  if ((m = /^Cannot query field "([^"]+)" on type "([^"]+)"/.exec(msg))) {
    return {
      message: `Field '${m[1]}' doesn't exist on type '${m[2]}'`,
      ...base,
      extensions: { code: "undefinedField", typeName: m[2], fieldName: m[1] },
    };
  }
  if ((m = /^Unknown argument "([^"]+)" on field "[^".]+\.([^"]+)"/.exec(msg))) {
    return {
      message: `Field '${m[2]}' doesn't accept argument '${m[1]}'`,
      ...base,
      extensions: { code: "argumentNotAccepted", name: m[2], typeName: "Field", argumentName: m[1] },
    };
  }
  if ((m = /^Field "([^"]+)" argument "([^"]+)" of type "[^"]+" is required/.exec(msg))) {
    return {
      message: `Field '${m[1]}' is missing required arguments: ${m[2]}`,
      ...base,
      extensions: { code: "missingRequiredArguments", className: "Field", name: m[1], arguments: m[2] },
    };
  }
  if ((m = /^Unknown type "([^"]+)"/.exec(msg))) {
    return {
      message: `No such type ${m[1]}, so it can't be a fragment condition`,
      ...base,
      extensions: { code: "undefinedType", typeName: m[1] },
    };
  }
  if ((m = /^Field "([^"]+)" is not defined by type "([^"]+)"/.exec(msg))) {
    return {
      message: `InputObject '${m[2]}' doesn't accept argument '${m[1]}'`,
      ...base,
      extensions: { code: "inputObjectFieldNotDefined", name: m[2], argumentName: m[1] },
    };
  }
  if ((m = /^Variable "\$([^"]+)" of type "([^"]+)" used in position expecting type "([^"]+)"/.exec(msg))) {
    return {
      message: `Type mismatch on variable $${m[1]} (${m[2]} / ${m[3]})`,
      ...base,
      extensions: { code: "variableMismatch", variableName: m[1], typeName: m[2] },
    };
  }
  if ((m = /^Variable "\$([^"]+)" is never used/.exec(msg))) {
    return {
      message: `Variable $${m[1]} is declared but not used`,
      ...base,
      extensions: { code: "variableNotUsed", variableName: m[1] },
    };
  }
  if ((m = /^Variable "\$([^"]+)" is not defined/.exec(msg))) {
    return {
      message: `Variable $${m[1]} is used but not declared`,
      ...base,
      extensions: { code: "variableNotDefined", variableName: m[1] },
    };
  }
  if (/^Field "[^"]+" must not have a selection|must have a selection of subfields/.test(msg)) {
    return { message: msg, ...base, extensions: { code: "selectionMismatch" } };
  }
  if (
    /^(Expected value of type|Int cannot represent|String cannot represent|Enum "[^"]+" cannot represent)/.test(msg)
  ) {
    return { message: msg, ...base, extensions: { code: "argumentLiteralsIncompatible" } };
  }
  return { message: msg, ...base };
}

/** Types of execution error that are the client's fault (GitHub refuses the request): recorded as violations. */
const CLIENT_FAULTS = new Set(["MISSING_PAGINATION_BOUNDARIES", "EXCESSIVE_PAGINATION"]);

/** The answer to one POST /graphql: HTTP status and JSON body, plus violations (requests GitHub would refuse). */
export function executeGraphQL(
  host: GraphQLHost,
  body: unknown,
): { status: number; body: unknown; violations: string[] } {
  const request = (body ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown };
  const refuse = (errors: GraphQLErrorJson[]) => ({
    status: 200,
    body: { errors },
    violations: errors.map((e) => `GraphQL: ${e.message}`),
  });
  if (typeof request.query !== "string")
    return refuse([{ message: "A query attribute must be specified and must be a string." }]);
  const variables = (request.variables && typeof request.variables === "object" ? request.variables : {}) as Record<
    string,
    unknown
  >;
  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return refuse([{ message: error.message, locations: error.locations ? [...error.locations] : undefined }]);
  }
  const schema = gitHubSchema();
  const invalid = validate(schema, document);
  if (invalid.length) return refuse(invalid.map((e) => gitHubValidationError(document, e)));

  const operationName = typeof request.operationName === "string" ? request.operationName : undefined;
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const op = operationName ? ops.find((o) => o.name?.value === operationName) : ops.length === 1 ? ops[0] : undefined;
  if (!op) return refuse([{ message: ops.length ? "An operation name is required" : "No operations in the document" }]);
  const root = createRoot(host);
  const result = execute({
    schema,
    document,
    operationName,
    variableValues: variables,
    rootValue: op.operation === "mutation" ? root.mutation : root.query,
  });
  if (result instanceof Promise) throw new Error("stand-in GraphQL: a resolver returned a promise");

  const errors: GraphQLErrorJson[] = [];
  const violations: string[] = [];
  for (const e of result.errors ?? []) {
    const original = e.originalError;
    const where = { path: e.path ? [...e.path] : undefined, locations: e.locations ? [...e.locations] : undefined };
    if (!result.data && !e.path) {
      // Variables that do not fit their types: refused before anything runs, as GitHub does.
      const name = /^Variable "\$([^"]+)"/.exec(e.message)?.[1];
      const type = op.variableDefinitions?.find((d) => d.variable.name.value === name);
      const typeText = type ? printType(type.type) : "?";
      errors.push({
        message: name ? `Variable $${name} of type ${typeText} was provided invalid value` : e.message,
        locations: where.locations,
        extensions: {
          value: name ? (variables[name] ?? null) : null,
          problems: [{ path: [], explanation: e.message }],
        },
      });
      violations.push(`GraphQL: ${e.message}`);
    } else if (original instanceof ExecError) {
      errors.push({ type: original.type, ...where, message: original.message });
      if (CLIENT_FAULTS.has(original.type)) violations.push(`GraphQL: ${original.message}`);
    } else if (original && !(original instanceof GraphQLError)) {
      // A bug in a resolver, not something GitHub would say.
      throw original;
    } else {
      // A scalar GitHub's schema cannot carry (an `Int` past 2^31) or a null in a non-null field.
      errors.push({ message: e.message, ...where });
      violations.push(`GraphQL: ${e.message} (at ${where.path?.join(".")})`);
    }
  }
  const answer = errors.length ? (result.data ? { data: result.data, errors } : { errors }) : { data: result.data };
  return { status: 200, body: answer, violations };
}

function printType(t: import("graphql").TypeNode): string {
  if (t.kind === Kind.NON_NULL_TYPE) return `${printType(t.type)}!`;
  if (t.kind === Kind.LIST_TYPE) return `[${printType(t.type)}]`;
  return t.name.value;
}
