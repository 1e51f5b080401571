import type { Context } from "probot";
import { createLabelsMutation, type GraphQLData, idsQuery, ONCE } from "./build-graphql-documents.js";
import { graphqlErrors, unsupportedReason } from "./fall-back-to-rest.js";
import type { ReadState } from "./parse-graphql-read.js";

/** What the GraphQL writes of one triage work with: the client, the log, the repository, and the way back to REST. */
export interface GraphqlSession {
  octokit: Context["octokit"];
  log: Context["log"];
  owner: string;
  repo: string;
  /** Says GraphQL cannot serve this installation (see `fallBackToRest`); answers undefined. */
  fallBack: (reason: string) => undefined;
}

/**
 * Label and user node ids for the drafts, and the labels that do not exist yet. The read's first 100 labels usually
 * answer it; a repository with more labels, or drafts with assignees, cost one query.
 */
export async function resolveIds(
  session: GraphqlSession,
  state: Pick<ReadState, "labels" | "allLabelsKnown">,
  wantedLabels: string[],
  logins: string[],
): Promise<{ labels: Map<string, string>; users: Map<string, string>; missing: string[] }> {
  const labels = new Map(state.labels);
  const users = new Map<string, string>();
  let unknown = wantedLabels.filter((l) => !labels.has(l.toLowerCase()));
  const lookUpLabels = state.allLabelsKnown ? [] : unknown;
  if (lookUpLabels.length || logins.length) {
    const found = await session.octokit
      .graphql<GraphQLData>(idsQuery(session.owner, session.repo, lookUpLabels, logins))
      .catch((error) => ((error as { data?: unknown }).data as GraphQLData | undefined) ?? Promise.reject(error));
    lookUpLabels.forEach((_, i) => {
      const label = found.repository?.[`l${i}`];
      if (label) labels.set(label.name.toLowerCase(), label.id);
    });
    logins.forEach((login, i) => {
      const user = found[`u${i}`];
      if (user) users.set(login, user.id);
      else session.log.warn({ login }, "assignee not found: the follow-up is created without them");
    });
    unknown = wantedLabels.filter((l) => !labels.has(l.toLowerCase()));
  }
  return { labels, users, missing: unknown };
}

/**
 * Creates the labels the follow-ups need that the repository does not have yet (REST's issue creation creates them
 * too, in GitHub's default colour), in a document of their own before the follow-ups, so each follow-up is created
 * with all its labels at once: a run that fails later never leaves a follow-up without them (the next run finds
 * the follow-up and would not label it). Answers the new labels' ids, or undefined when GraphQL cannot serve this.
 */
export async function createMissingLabels(
  session: GraphqlSession,
  state: Pick<ReadState, "repositoryId">,
  missing: string[],
): Promise<Map<string, string> | undefined> {
  const made = new Map<string, string>();
  if (!missing.length) return made;
  const { document, variables } = createLabelsMutation(state.repositoryId, missing);
  let data: Record<string, { label: { id: string; name: string } } | null>;
  try {
    data = await session.octokit.graphql(document, { ...variables, ...ONCE });
  } catch (error) {
    const reason = unsupportedReason(error, false);
    if (reason) return session.fallBack(reason);
    // No answer: nothing was created with them yet, and the next run reads the labels again.
    if (!graphqlErrors(error)) throw error;
    // Some were refused, most likely "Name has already been taken": another triage in this repository created them
    // since this one read the labels. Those are looked up below.
    data = ((error as { data?: typeof data }).data ?? {}) as typeof data;
  }
  for (const answer of Object.values(data)) {
    if (answer?.label) made.set(answer.label.name.toLowerCase(), answer.label.id);
  }
  const refused = missing.filter((name) => !made.has(name.toLowerCase()));
  if (refused.length) {
    const found = await resolveIds(session, { labels: made, allLabelsKnown: false }, refused, []);
    if (found.missing.length)
      throw new Error(`could not create the labels ${found.missing.map((l) => JSON.stringify(l)).join(", ")}`);
    return found.labels;
  }
  return made;
}
