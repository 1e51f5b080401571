import { creationRounds, resolveFollowUpRefs } from "../../domain/follow-up-plan/follow-up-refs.js";
import { createIssuesMutation, finishMutation, type GraphQLData, ONCE } from "./build-graphql-documents.js";
import { graphqlErrors, unsupportedReason } from "./fall-back-to-rest.js";
import { applyDependencies, unopened } from "./issue-github.js";
import type { AppliedWrites, GhIssue, IssueGitHub, NewIssue, WriteBatch } from "../../use-cases/ports/issue-github.js";
import { type GqlIssue, type ReadState, toGhIssue } from "./parse-graphql-read.js";
import { createMissingLabels, type GraphqlSession, resolveIds } from "./resolve-graphql-ids.js";

/**
 * The writes of one triage over GraphQL: the labels the follow-ups lack, then the follow-ups, created already linked
 * (`createIssue` with `parentIssueId`) in as many documents as their blockers need, the dependencies over REST, then
 * the re-links, the comment and the closing in one document. Undefined when GraphQL cannot serve the installation
 * (before anything was written): the caller then writes over REST.
 */
export async function applyGraphqlWrites(
  session: GraphqlSession,
  rest: IssueGitHub,
  state: ReadState,
  batch: WriteBatch,
): Promise<AppliedWrites | undefined> {
  let created: GhIssue[] = [];
  if (batch.create.length) {
    const wanted = [...new Map(batch.create.flatMap((d) => d.labels).map((l) => [l.toLowerCase(), l])).values()];
    const ids = await resolveIds(session, state, wanted, [...new Set(batch.create.flatMap((d) => d.assignees))]);
    const newLabels = await createMissingLabels(session, state, ids.missing);
    if (!newLabels) return undefined;
    for (const [name, id] of newLabels) ids.labels.set(name, id);
    const numbers = new Map<string, number>();
    // Blockers go in an earlier document than the follow-ups whose bodies name them, so those bodies carry numbers.
    for (const [round, drafts] of creationRounds(batch.create).entries()) {
      const inputs = drafts.map((draft) => {
        const labelIds = draft.labels.map((l) => ids.labels.get(l.toLowerCase())).filter(Boolean);
        return {
          repositoryId: state.repositoryId,
          title: draft.title,
          body: resolveFollowUpRefs(draft.body, numbers, unopened),
          parentIssueId: state.issueId,
          ...(labelIds.length ? { labelIds } : {}),
          ...(draft.assignees.length
            ? { assigneeIds: draft.assignees.map((a) => ids.users.get(a)).filter(Boolean) }
            : {}),
          ...(draft.milestone?.node_id ? { milestoneId: draft.milestone.node_id } : {}),
          ...(draft.type?.node_id ? { issueTypeId: draft.type.node_id } : {}),
        };
      });
      const { document, variables } = createIssuesMutation(inputs);
      let data: GraphQLData;
      try {
        data = await session.octokit.graphql(document, { ...variables, ...ONCE });
      } catch (error) {
        const reason = round === 0 ? unsupportedReason(error, false) : undefined;
        if (reason) {
          session.fallBack(reason);
          return undefined;
        }
        // No GraphQL answer (a 5xx, a timeout, a dropped connection): the mutation may have run. Thrown as it is, so
        // the queue sees a retryable fault and runs the triage again, which finds what was created (sub-issues).
        if (!graphqlErrors(error)) throw error;
        // Some were created: they are sub-issues already, so the next run finds them. Say which.
        // Only the entries that hold an issue were created (a refused one is null).
        type Partial = Record<string, { issue?: GqlIssue } | null>;
        const partial = ((error as { data?: Partial }).data ?? {}) as Partial;
        const made = [...created, ...Object.values(partial).flatMap((p) => (p?.issue ? [p.issue] : []))].map(
          (i) => `#${i.number}`,
        );
        const why = (graphqlErrors(error) ?? []).map((e) => e.message).join("; ");
        throw Object.assign(new Error(`creating follow-ups failed (${why}); created: ${made.join(", ") || "none"}`), {
          cause: error,
        });
      }
      const made = drafts.map((_, i) => toGhIssue(data[`f${i}`]!.issue));
      drafts.forEach((draft, i) => {
        if (draft.template) numbers.set(draft.template, made[i].number);
      });
      created.push(...made);
    }
    // In the order of the batch, as the caller gave it.
    const byTemplate = (d: NewIssue) => created.find((c) => c.number === numbers.get(d.template ?? ""));
    created = batch.create.map(byTemplate).filter((c): c is GhIssue => Boolean(c));
    if (created.length !== batch.create.length) throw new Error("a created follow-up has no template name");
  }

  // Issue dependencies are recorded over REST (what GitHub documents for them), between the two documents, so the
  // comment can say which could not be made.
  const dependencies = await applyDependencies(rest, batch.dependencies?.(created) ?? []);
  const comment = batch.comment(created, dependencies);
  const relinkFailed: number[] = [];
  // By node id: it names the follow-up wherever it is, where a number in this repository may name another issue
  // (the parent was transferred, its marker keeps the old numbers). A marker written before node ids were kept
  // names the follow-up by its database id, which REST's sub-issue endpoint takes.
  const byNode = batch.relink.filter((f) => f.node_id);
  for (const f of batch.relink.filter((x) => !x.node_id)) {
    await rest.addSubIssue(f.id).catch(() => relinkFailed.push(f.number));
  }
  const finish = finishMutation(
    state.issueId,
    byNode.map((f) => f.node_id as string),
    comment,
    batch.close,
  );
  if (finish) {
    try {
      await session.octokit.graphql(finish.document, { ...finish.variables, ...ONCE });
    } catch (error) {
      const errors = graphqlErrors(error);
      const others = errors?.filter((e) => !/^r\d+$/.test(String(e.path?.[0] ?? "")));
      if (!errors || others!.length || (error as { data?: unknown }).data == null) throw error;
      for (const e of errors) relinkFailed.push(byNode[Number(String(e.path![0]).slice(1))].number);
    }
  }
  return { created, relinkFailed, dependencies };
}
