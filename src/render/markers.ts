/**
 * Hidden markers in the text the app writes. A marker is trusted only in text the app itself authored (see
 * `isAppAuthored`): anyone can paste one into an issue.
 */
const PREFIX = "<!-- config-triage:";

export type MarkerKind = "diagnosis" | "follow-up" | "notice";

export function writeMarker(kind: MarkerKind, data: object): string {
  // `--` may not appear inside an HTML comment; JSON can carry it as \u002d\u002d.
  const json = JSON.stringify(data).replace(/--/g, "\\u002d\\u002d").replace(/>/g, "\\u003e");
  return `${PREFIX}${kind} ${json} -->`;
}

export function readMarker<T = Record<string, unknown>>(
  kind: MarkerKind,
  body: string | null | undefined,
): T | undefined {
  if (!body) return undefined;
  const start = body.indexOf(`${PREFIX}${kind} `);
  if (start < 0) return undefined;
  const end = body.indexOf(" -->", start);
  if (end < 0) return undefined;
  try {
    return JSON.parse(body.slice(start + PREFIX.length + kind.length + 1, end)) as T;
  } catch {
    return undefined;
  }
}

/** Who the app is on GitHub: as an App (id) or, in a workflow, as the token's bot login. */
export interface AppIdentity {
  appId?: number;
  botLogin?: string;
  /** The app's slug (its bot is `${slug}[bot]`); GraphQL names authors by login only. Looked up once when unset. */
  appSlug?: string;
}

export interface Authored {
  user?: { login?: string; type?: string } | null;
  performed_via_github_app?: { id?: number } | null;
}

/** True when the app itself wrote this comment or issue. */
export function isAppAuthored(item: Authored, identity: AppIdentity): boolean {
  if (identity.appId !== undefined && item.performed_via_github_app?.id === identity.appId) return true;
  return Boolean(identity.botLogin && item.user?.login === identity.botLogin && item.user?.type === "Bot");
}
