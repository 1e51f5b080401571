/**
 * The GraphQL documents the app sends, built in one place: the read of a triage, the id lookups and the three
 * mutations that write (labels, follow-ups, the finish). Pure: strings in, documents out; nothing here calls GitHub.
 */

import type { CommentWrite, WriteBatch } from "../../use-cases/ports/issue-github.js";

// biome-ignore lint/suspicious/noExplicitAny: one field per aliased lookup or mutation, each read by its alias
export type GraphQLData = Record<string, any>;

/**
 * Everything a triage reads, in one request: the config file's text (line numbers for free), the repository's
 * templates, its labels (GraphQL writes take label ids), the app's earlier comment and the follow-ups (sub-issues).
 */
/** A sub-issue's fields in the read: who wrote it, and the milestone and issue type the diagnosis comment lists. */
const STRUCTURE_FIELDS =
  "id fullDatabaseId number title state body url author { __typename login } milestone { number title } issueType { " +
  "name }";

/** The one read of a triage (see above). */
export const READ_QUERY =
  `query ConfigTriageRead($owner: String!, $repo: String!, $number: Int!, $config: ` +
  `String!, $templates: String!) {
  repository(owner: $owner, name: $repo) {
    id
    config: object(expression: $config) { __typename ... on Blob { text } }
    templates: object(expression: $templates) {
      __typename
      ... on Tree { entries { name type object { __typename ... on Blob { text } } } }
    }
    labels(first: 100) { totalCount nodes { id name } }
    issue(number: $number) {
      id
      state
      comments(first: 100) { pageInfo { hasNextPage } nodes { id fullDatabaseId body author { __typename login } } }
      subIssues(first: 100) { nodes { ${STRUCTURE_FIELDS} } }
    }
  }
}`;

/** A follow-up as the app reads it back: with its milestone and issue type, to tell whether GitHub set them. */
const ISSUE_FIELDS = "issue { id fullDatabaseId number title state url milestone { number title } issueType { name } }";

/**
 * Mutations go out once: Probot's retry plugin would resend one on a 5xx or a dropped connection, which may come after
 * GitHub ran it (two copies of each follow-up, two comments). The queue retries the whole run instead, which reads
 * first.
 */
export const ONCE = { request: { retries: 0 } };

/** GraphQL strings are JSON strings. */
const str = (s: string) => JSON.stringify(s);

/** A document and the variables it declares. */
export interface GraphqlRequest {
  document: string;
  variables: Record<string, unknown>;
}

/** `query ConfigTriageIds`: label ids by name (`repository.l0`, `l1`, ...) and user ids by login (`u0`, ...). */
export function idsQuery(owner: string, repo: string, labels: string[], logins: string[]): string {
  const fields = [
    labels.length
      ? `repository(owner: ${str(owner)}, name: ${str(repo)}) ` +
        `{ ${labels.map((l, i) => `l${i}: label(name: ${str(l)}) { id name }`).join(" ")} }`
      : "",
    ...logins.map((login, i) => `u${i}: user(login: ${str(login)}) { id }`),
  ].join("\n  ");
  return `query ConfigTriageIds {\n  ${fields}\n}`;
}

/** `mutation ConfigTriageLabels`: one `createLabel` per name (answered as `l0`, `l1`, ...), in the default colour. */
export function createLabelsMutation(repositoryId: string, names: string[]): GraphqlRequest {
  const input = (name: string) => ({ repositoryId, name, color: "ededed" });
  const variables = Object.fromEntries(names.map((name, j) => [`l${j}`, input(name)]));
  const params = names.map((_, j) => `$l${j}: CreateLabelInput!`).join(", ");
  const fields = names.map((_, j) => `  l${j}: createLabel(input: $l${j}) { label { id name } }`).join("\n");
  return { document: `mutation ConfigTriageLabels(${params}) {\n${fields}\n}`, variables };
}

/** `mutation ConfigTriageFollowUps`: one `createIssue` per input (answered as `f0`, `f1`, ...). */
export function createIssuesMutation(inputs: Record<string, unknown>[]): GraphqlRequest {
  const variables = Object.fromEntries(inputs.map((input, i) => [`i${i}`, input]));
  const params = inputs.map((_, i) => `$i${i}: CreateIssueInput!`);
  const fields = inputs.map((_, i) => `  f${i}: createIssue(input: $i${i}) { ${ISSUE_FIELDS} }`);
  return { document: `mutation ConfigTriageFollowUps(${params.join(", ")}) {\n${fields.join("\n")}\n}`, variables };
}

/**
 * `mutation ConfigTriageFinish`: the follow-ups to link again by node id (answered as `r0`, `r1`, ...), the app's
 * comment (an edit when it has an id, else a new one) and the closing, in one document; undefined when there is none.
 */
export function finishMutation(
  issueId: string,
  relink: string[],
  comment: CommentWrite | undefined,
  close: WriteBatch["close"],
): GraphqlRequest | undefined {
  const variables: Record<string, unknown> = {};
  const params: string[] = [];
  const fields: string[] = [];
  relink.forEach((subIssueId, i) => {
    params.push(`$r${i}: AddSubIssueInput!`);
    variables[`r${i}`] = { issueId, subIssueId };
    fields.push(`r${i}: addSubIssue(input: $r${i}) { subIssue { number } }`);
  });
  if (comment?.id !== undefined) {
    params.push("$c: UpdateIssueCommentInput!");
    variables.c = { id: comment.node_id, body: comment.body };
    fields.push("comment: updateIssueComment(input: $c) { issueComment { id } }");
  } else if (comment) {
    params.push("$c: AddCommentInput!");
    variables.c = { subjectId: issueId, body: comment.body };
    fields.push("comment: addComment(input: $c) { commentEdge { node { id } } }");
  }
  if (close) {
    params.push("$x: CloseIssueInput!");
    variables.x = { issueId, stateReason: close.toUpperCase() };
    fields.push("close: closeIssue(input: $x) { issue { state } }");
  }
  if (!fields.length) return undefined;
  return { document: `mutation ConfigTriageFinish(${params.join(", ")}) {\n  ${fields.join("\n  ")}\n}`, variables };
}
