import type { AppIdentity } from "../../domain/issue-state/markers.js";
import { REPO_TEMPLATE_DIR } from "../../domain/config/follow-up-template.js";
import type { GhComment, GhIssue } from "../../use-cases/ports/issue-github.js";
import { parseDatabaseId } from "./parse-database-id.js";

/*
 * The answer of `READ_QUERY` turned into what a triage reads: GraphQL's shapes (node ids, `fullDatabaseId`, actors)
 * as the REST shapes the rest of the app takes. Pure.
 */

export interface GqlActor {
  __typename: string;
  login: string;
}

export interface GqlIssue {
  id: string;
  /** GitHub's ids are past 2^31: `databaseId` (a 32-bit Int) fails for them, `fullDatabaseId` is a string. */
  fullDatabaseId: string;
  number: number;
  title: string;
  state: string;
  body?: string;
  url?: string;
  author?: GqlActor | null;
  /** Read with the follow-ups: absent in an answer that did not ask for them (then not checked). */
  milestone?: { number: number; title: string } | null;
  issueType?: { name: string } | null;
}

/** The answer of `READ_QUERY`. */
export interface ReadAnswer {
  repository: {
    id: string;
    config: { __typename: string; text?: string | null } | null;
    templates: {
      __typename: string;
      entries?: Array<{ name: string; type: string; object: { __typename: string; text?: string | null } | null }>;
    } | null;
    labels: { totalCount: number; nodes: Array<{ id: string; name: string }> };
    issue: {
      id: string;
      state: string;
      comments: {
        pageInfo: { hasNextPage: boolean };
        nodes: Array<{ id: string; fullDatabaseId: string; body: string; author: GqlActor | null }>;
      };
      subIssues: { nodes: GqlIssue[] };
    } | null;
  } | null;
}

/** What one triage reads, shared by all its reads until it writes. */
export interface ReadState {
  repositoryId: string;
  issueId: string;
  configText?: string;
  templates?: Array<{ name: string; file: string; text: string }>;
  labels: Map<string, string>;
  allLabelsKnown: boolean;
  comments?: GhComment[];
  subIssues: GhIssue[];
}

function toUser(author: GqlActor | null | undefined): GhComment["user"] {
  if (!author) return null;
  return author.__typename === "Bot"
    ? { login: `${author.login}[bot]`, type: "Bot" }
    : { login: author.login, type: author.__typename === "User" ? "User" : author.__typename };
}

function byApp(
  author: GqlActor | null | undefined,
  slug: string | undefined,
  identity: AppIdentity,
): GhComment["performed_via_github_app"] {
  return slug && identity.appId !== undefined && author?.__typename === "Bot" && author.login === slug
    ? { id: identity.appId }
    : null;
}

/** A GraphQL issue as REST answers it; `slug` and `identity` tell whether the app wrote it. */
export function toGhIssue(i: GqlIssue, slug?: string, identity: AppIdentity = {}): GhIssue {
  return {
    id: parseDatabaseId(i.fullDatabaseId, "an issue"),
    node_id: i.id,
    number: i.number,
    title: i.title,
    state: i.state.toLowerCase(),
    body: i.body,
    html_url: i.url,
    user: toUser(i.author),
    performed_via_github_app: byApp(i.author, slug, identity),
    ...(i.milestone !== undefined ? { milestone: i.milestone } : {}),
    ...(i.issueType !== undefined ? { type: i.issueType } : {}),
  };
}

/** The read of issue `where` (`owner/repo#number`) from the answer of `READ_QUERY`. */
export function readStateOf(
  data: ReadAnswer,
  slug: string | undefined,
  identity: AppIdentity,
  where: string,
): ReadState {
  const repository = data.repository;
  if (!repository?.issue) throw new Error(`GraphQL found no issue ${where}`);
  const { issue } = repository;
  const entries = repository.templates?.entries;
  const templates = entries
    ?.filter((e) => e.type === "blob" && e.name.endsWith(".md"))
    .map((e) => ({ name: e.name.slice(0, -3), file: `${REPO_TEMPLATE_DIR}/${e.name}`, text: e.object?.text }));
  return {
    repositoryId: repository.id,
    issueId: issue.id,
    configText: repository.config?.__typename === "Blob" ? (repository.config.text ?? undefined) : undefined,
    // A binary or oversized template has no text here: REST reports it as it does today.
    templates: templates?.every((t) => typeof t.text === "string")
      ? (templates as Array<{ name: string; file: string; text: string }>)
      : entries
        ? undefined
        : [],
    labels: new Map(repository.labels.nodes.map((l) => [l.name.toLowerCase(), l.id])),
    allLabelsKnown: repository.labels.totalCount <= repository.labels.nodes.length,
    // More than 100 comments: REST pages through them.
    comments: issue.comments.pageInfo.hasNextPage
      ? undefined
      : issue.comments.nodes.map((c) => ({
          id: parseDatabaseId(c.fullDatabaseId, "a comment"),
          node_id: c.id,
          body: c.body,
          user: toUser(c.author),
          performed_via_github_app: byApp(c.author, slug, identity),
        })),
    subIssues: issue.subIssues.nodes.map((i) => toGhIssue(i, slug, identity)),
  };
}
