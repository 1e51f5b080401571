import type { Context } from "probot";
import { CONFIG_PATH } from "../../domain/config/schema.js";
import type { AppIdentity } from "../../domain/issue-state/markers.js";
import { REPO_TEMPLATE_DIR } from "../../domain/config/follow-up-template.js";
import { applyGraphqlWrites } from "./apply-graphql-writes.js";
import { READ_QUERY } from "./build-graphql-documents.js";
import { fallBackToRest, isRestOnly, unsupportedReason } from "./fall-back-to-rest.js";
import { applyWritesOneByOne, githubConfigFiles, issueGitHubFromContext } from "./issue-github.js";
import type { ConfigRead, IssueGitHub, WriteBatch } from "../../use-cases/ports/issue-github.js";
import { appSlugOf } from "./look-up-app-slug.js";
import { type ReadAnswer, type ReadState, readStateOf } from "./parse-graphql-read.js";
import type { GraphqlSession } from "./resolve-graphql-ids.js";
import { shareReadUntilWrite } from "./share-read-until-write.js";
import { configAt, filesWith, loadConfig } from "../../use-cases/load-config.js";

type IssueContext = Context<"issues" | "issue_comment">;

/**
 * The GraphQL implementation of `IssueGitHub`: every read of a triage comes from one query (`READ_QUERY`), the
 * follow-ups are created and linked (`createIssue` with `parentIssueId`) with their labels in one mutation document
 * (labels the repository lacks are created first, in one more), and the comment and closing go in one more. Where
 * GraphQL cannot serve the installation (a GHES without sub-issues, a token without GraphQL access) it says why once,
 * remembers it for the installation and uses REST, which does the same.
 *
 * The jobs live in modules of their own: the documents (`build-graphql-documents`), the read's answer
 * (`parse-graphql-read`), label and user ids (`resolve-graphql-ids`), the writes (`apply-graphql-writes`), the way
 * back to REST (`fall-back-to-rest`) and the caches (`share-read-until-write`, `look-up-app-slug`).
 */
export function graphqlIssueGitHub(
  context: IssueContext,
  identity: AppIdentity,
  number: number = context.payload.issue.number,
  /** `CONFIG_TRIAGE_BOT_LOGIN`, for the REST reads (see `issueGitHubFromContext`). */
  ownIssuesBy?: string,
): IssueGitHub {
  const rest = issueGitHubFromContext(context, number, ownIssuesBy);
  // A pull request is no `Issue` in GraphQL (`repository.issue(number:)` is NOT_FOUND for its number) and takes no
  // sub-issues; the payload says which it is, and REST's issue endpoints serve pull requests too.
  if (number === context.payload.issue?.number && context.payload.issue.pull_request) return rest;
  const { owner, repo } = rest;
  const installation = context.payload.installation?.id ?? 0;
  const fallBack = (reason: string) => fallBackToRest(context.log, installation, reason);
  const session: GraphqlSession = { octokit: context.octokit, log: context.log, owner, repo, fallBack };

  async function readOnce(): Promise<ReadState | undefined> {
    if (isRestOnly(installation)) return undefined;
    let data: ReadAnswer;
    let slug: string | undefined;
    try {
      [data, slug] = await Promise.all([
        context.octokit.graphql<ReadAnswer>(READ_QUERY, {
          owner,
          repo,
          number,
          config: `HEAD:${CONFIG_PATH}`,
          templates: `HEAD:${REPO_TEMPLATE_DIR}`,
        }),
        appSlugOf(context, identity),
      ]);
    } catch (error) {
      const reason = unsupportedReason(error, true);
      if (reason) return fallBack(reason);
      throw error;
    }
    return readStateOf(data, slug, identity, `${owner}/${repo}#${number}`);
  }
  // The read is shared by every read of one triage; a write makes it stale (a command may run triages in a row).
  const { read, thenForget } = shareReadUntilWrite(readOnce);

  const gh: IssueGitHub = {
    ...rest,
    createComment: thenForget(rest.createComment),
    updateComment: thenForget(rest.updateComment),
    createIssue: thenForget(rest.createIssue),
    addSubIssue: thenForget(rest.addSubIssue),
    closeIssue: thenForget(rest.closeIssue),
    updateOtherIssue: thenForget(rest.updateOtherIssue),
    async readConfig(): Promise<ConfigRead> {
      const state = await read();
      // No file in the repository: the owner's `.github` repository may have one, read over REST.
      if (state?.configText === undefined) return rest.readConfig();
      // The one config source, with the repository's own file from the read; its `_extends` bases over REST.
      const files = githubConfigFiles(context.octokit as unknown as Parameters<typeof githubConfigFiles>[0]);
      const at = configAt(owner, repo);
      return loadConfig(filesWith(at, state.configText, files), at);
    },
    async readConfigText() {
      const state = await read();
      return state?.configText ?? rest.readConfigText();
    },
    async readRepoTemplates() {
      const state = await read();
      return state?.templates ?? rest.readRepoTemplates();
    },
    async listComments() {
      const state = await read();
      return state?.comments ?? rest.listComments();
    },
    async listSubIssues() {
      const state = await read();
      return state ? state.subIssues : rest.listSubIssues();
    },
    async listOwnIssues() {
      // Over GraphQL a follow-up is created already linked (createIssue with parentIssueId), so the sub-issues show
      // every one a run that died half-way opened; only the REST way can leave one unlinked.
      const state = await read();
      return state && !isRestOnly(installation) ? [] : rest.listOwnIssues();
    },
    applyWrites: thenForget(async (batch: WriteBatch) => {
      const state = await read();
      return (
        (state && !isRestOnly(installation) && (await applyGraphqlWrites(session, rest, state, batch))) ||
        applyWritesOneByOne(rest, batch)
      );
    }),
  };
  return gh;
}
