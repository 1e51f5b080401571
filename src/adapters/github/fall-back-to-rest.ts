import type { Context } from "probot";

/** Installations where GraphQL (or sub-issues in it) is not available: they use REST from then on, with the reason. */
const restOnly = new Map<number, string>();

/** Forgets which installations fell back to REST (tests). */
export function resetGraphqlFallbacks(): void {
  restOnly.clear();
}

/** Installations that fell back to REST, and why. */
export function graphqlFallbacks(): ReadonlyMap<number, string> {
  return restOnly;
}

export interface GqlError {
  type?: string;
  message?: string;
  path?: Array<string | number>;
  extensions?: { code?: string };
}

/** Schema errors: the server does not know a field, type or argument we use (an older GHES, a preview missing). */
const SCHEMA_ERRORS = new Set([
  "undefinedField",
  "undefinedType",
  "argumentNotAccepted",
  "missingRequiredArguments",
  "argumentLiteralsIncompatible",
  "variableMismatch",
  "inputObjectFieldNotDefined",
]);

/** The GraphQL errors a failed request carries, or undefined when it has none (no GraphQL answer). */
export function graphqlErrors(error: unknown): GqlError[] | undefined {
  const errors = (error as { errors?: unknown }).errors;
  return Array.isArray(errors) ? (errors as GqlError[]) : undefined;
}

/**
 * Why GraphQL cannot serve this installation, or undefined when the error is an ordinary failure (to be thrown):
 * a schema error (no sub-issues on this GHES), a permission error, or an HTTP answer saying there is no GraphQL here.
 */
export function unsupportedReason(error: unknown, whole: boolean): string | undefined {
  const errors = graphqlErrors(error);
  if (errors) {
    const noData = (error as { data?: unknown }).data == null;
    const hit = errors.find(
      (e) =>
        ((whole || noData) && SCHEMA_ERRORS.has(e.extensions?.code ?? "")) ||
        (whole && (e.type === "FORBIDDEN" || e.type === "INSUFFICIENT_SCOPES")),
    );
    return hit ? String(hit.message ?? hit.type ?? hit.extensions?.code) : undefined;
  }
  const status = (error as { status?: number }).status;
  const message = String((error as { message?: string }).message ?? "");
  if ((status === 401 || status === 403 || status === 404 || status === 410) && !/rate limit/i.test(message))
    return `HTTP ${status}: ${message.split("\n")[0]}`;
  return undefined;
}

/**
 * Says once per installation that GraphQL cannot serve it and why, and remembers it: the installation uses REST from
 * then on. Answers undefined, the "no GraphQL answer" of the callers.
 */
export function fallBackToRest(log: Context["log"], installation: number, reason: string): undefined {
  if (!restOnly.has(installation))
    log.warn({ installation, reason }, "GraphQL is not available for this installation: using REST");
  restOnly.set(installation, reason);
  return undefined;
}

/** Whether this installation fell back to REST. */
export function isRestOnly(installation: number): boolean {
  return restOnly.has(installation);
}
