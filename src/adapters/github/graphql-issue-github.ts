import type { Context } from "probot";
import { configAt, filesWith, loadConfig } from "../../use-cases/load-config.js";
import { CONFIG_PATH } from "../../domain/config/schema.js";
import { creationRounds, resolveFollowUpRefs } from "../../domain/follow-up-plan/follow-up-refs.js";
import type { AppIdentity } from "../../domain/issue-state/markers.js";
import { REPO_TEMPLATE_DIR } from "../../domain/config/follow-up-template.js";
import {
  applyDependencies,
  applyWritesOneByOne,
  githubConfigFiles,
  issueGitHubFromContext,
  type AppliedWrites,
  type ConfigRead,
  type GhComment,
  type GhIssue,
  type IssueGitHub,
  type NewIssue,
  type WriteBatch,
  unopened,
} from "./issue-github.js";
import { parseDatabaseId } from "./parse-database-id.js";

// biome-ignore lint/suspicious/noExplicitAny: one field per aliased lookup or mutation, each read by its alias
type GraphQLData = Record<string, any>;

type IssueContext = Context<"issues" | "issue_comment">;

/**
 * Everything a triage reads, in one request: the config file's text (line numbers for free), the repository's
 * templates, its labels (GraphQL writes take label ids), the app's earlier comment and the follow-ups (sub-issues).
 */
/** A sub-issue's fields in the read: who wrote it, and the milestone and issue type the diagnosis comment lists. */
const STRUCTURE_FIELDS =
  "id fullDatabaseId number title state body url author { __typename login } milestone { number title } issueType { " +
  "name }";

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

/** The app's slug per app id, looked up once per process (`GET /app`, authenticated as the app). */
const slugs = new Map<number, Promise<string | undefined>>();

function appSlugOf(context: IssueContext, identity: AppIdentity): Promise<string | undefined> {
  if (identity.appSlug) return Promise.resolve(identity.appSlug);
  if (identity.botLogin || identity.appId === undefined) return Promise.resolve(undefined);
  let slug = slugs.get(identity.appId);
  if (!slug) {
    const appId = identity.appId;
    // Probot's app authentication answers `/app` with the app's JWT by itself.
    slug = context.octokit.request("GET /app").then((r) => (r.data as { slug?: string } | null)?.slug);
    slug.catch(() => slugs.delete(appId));
    slugs.set(appId, slug);
  }
  return slug;
}

interface GqlActor {
  __typename: string;
  login: string;
}

interface GqlIssue {
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

interface ReadAnswer {
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

interface ReadState {
  repositoryId: string;
  issueId: string;
  configText?: string;
  templates?: Array<{ name: string; file: string; text: string }>;
  labels: Map<string, string>;
  allLabelsKnown: boolean;
  comments?: GhComment[];
  subIssues: GhIssue[];
}

interface GqlError {
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

function graphqlErrors(error: unknown): GqlError[] | undefined {
  const errors = (error as { errors?: unknown }).errors;
  return Array.isArray(errors) ? (errors as GqlError[]) : undefined;
}

/**
 * Why GraphQL cannot serve this installation, or undefined when the error is an ordinary failure (to be thrown):
 * a schema error (no sub-issues on this GHES), a permission error, or an HTTP answer saying there is no GraphQL here.
 */
function unsupportedReason(error: unknown, whole: boolean): string | undefined {
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

function toGhIssue(i: GqlIssue, slug?: string, identity: AppIdentity = {}): GhIssue {
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

/**
 * Mutations go out once: Probot's retry plugin would resend one on a 5xx or a dropped connection, which may come after
 * GitHub ran it (two copies of each follow-up, two comments). The queue retries the whole run instead, which reads
 * first.
 */
const ONCE = { request: { retries: 0 } };

/** GraphQL strings are JSON strings. */
const str = (s: string) => JSON.stringify(s);

/**
 * The GraphQL implementation of `IssueGitHub`: every read of a triage comes from one query (`READ_QUERY`), the
 * follow-ups are created and linked (`createIssue` with `parentIssueId`) with their labels in one mutation document
 * (labels the repository lacks are created first, in one more), and the comment and closing go in one more. Where
 * GraphQL cannot serve the installation (a GHES without sub-issues, a token without GraphQL access) it says why once,
 * remembers it for the installation and uses REST, which does the same.
 */
export function graphqlIssueGitHub(
  context: IssueContext,
  identity: AppIdentity,
  number: number = context.payload.issue.number,
): IssueGitHub {
  const rest = issueGitHubFromContext(context, number);
  // A pull request is no `Issue` in GraphQL (`repository.issue(number:)` is NOT_FOUND for its number) and takes no
  // sub-issues; the payload says which it is, and REST's issue endpoints serve pull requests too.
  if (number === context.payload.issue?.number && context.payload.issue.pull_request) return rest;
  const { owner, repo } = rest;
  const installation = context.payload.installation?.id ?? 0;
  let reading: Promise<ReadState | undefined> | undefined;
  let slug: string | undefined;

  const fallBack = (reason: string): undefined => {
    if (!restOnly.has(installation))
      context.log.warn({ installation, reason }, "GraphQL is not available for this installation: using REST");
    restOnly.set(installation, reason);
    return undefined;
  };

  async function readOnce(): Promise<ReadState | undefined> {
    if (restOnly.has(installation)) return undefined;
    let data: ReadAnswer;
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
    const repository = data.repository;
    if (!repository?.issue) throw new Error(`GraphQL found no issue ${owner}/${repo}#${number}`);
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
  const read = () => (reading ??= readOnce());

  /**
   * Label and user node ids for the drafts, and the labels that do not exist yet. The read's first 100 labels usually
   * answer it; a repository with more labels, or drafts with assignees, cost one query.
   */
  async function resolveIds(
    state: Pick<ReadState, "labels" | "allLabelsKnown">,
    wantedLabels: string[],
    logins: string[],
  ): Promise<{ labels: Map<string, string>; users: Map<string, string>; missing: string[] }> {
    const labels = new Map(state.labels);
    const users = new Map<string, string>();
    let unknown = wantedLabels.filter((l) => !labels.has(l.toLowerCase()));
    const lookUpLabels = state.allLabelsKnown ? [] : unknown;
    if (lookUpLabels.length || logins.length) {
      const fields = [
        lookUpLabels.length
          ? `repository(owner: ${str(owner)}, name: ${str(repo)}) ` +
            `{ ${lookUpLabels.map((l, i) => `l${i}: label(name: ${str(l)}) { id name }`).join(" ")} }`
          : "",
        ...logins.map((login, i) => `u${i}: user(login: ${str(login)}) { id }`),
      ].join("\n  ");
      const found = await context.octokit
        .graphql<GraphQLData>(`query ConfigTriageIds {\n  ${fields}\n}`)
        .catch((error) => ((error as { data?: unknown }).data as GraphQLData | undefined) ?? Promise.reject(error));
      lookUpLabels.forEach((_, i) => {
        const label = found.repository?.[`l${i}`];
        if (label) labels.set(label.name.toLowerCase(), label.id);
      });
      logins.forEach((login, i) => {
        const user = found[`u${i}`];
        if (user) users.set(login, user.id);
        else context.log.warn({ login }, "assignee not found: the follow-up is created without them");
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
  async function createMissingLabels(state: ReadState, missing: string[]): Promise<Map<string, string> | undefined> {
    const made = new Map<string, string>();
    if (!missing.length) return made;
    const input = (name: string) => ({ repositoryId: state.repositoryId, name, color: "ededed" });
    const inputs = Object.fromEntries(missing.map((name, j) => [`l${j}`, input(name)]));
    const params = missing.map((_, j) => `$l${j}: CreateLabelInput!`).join(", ");
    const fields = missing.map((_, j) => `  l${j}: createLabel(input: $l${j}) { label { id name } }`).join("\n");
    let data: Record<string, { label: { id: string; name: string } } | null>;
    try {
      const document = `mutation ConfigTriageLabels(${params}) {\n${fields}\n}`;
      data = await context.octokit.graphql(document, { ...inputs, ...ONCE });
    } catch (error) {
      const reason = unsupportedReason(error, false);
      if (reason) return fallBack(reason);
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
      const found = await resolveIds({ labels: made, allLabelsKnown: false }, refused, []);
      if (found.missing.length)
        throw new Error(`could not create the labels ${found.missing.map((l) => JSON.stringify(l)).join(", ")}`);
      return found.labels;
    }
    return made;
  }

  async function graphqlWrites(state: ReadState, batch: WriteBatch): Promise<AppliedWrites | undefined> {
    let created: GhIssue[] = [];
    if (batch.create.length) {
      const wanted = [...new Map(batch.create.flatMap((d) => d.labels).map((l) => [l.toLowerCase(), l])).values()];
      const ids = await resolveIds(state, wanted, [...new Set(batch.create.flatMap((d) => d.assignees))]);
      const newLabels = await createMissingLabels(state, ids.missing);
      if (!newLabels) return undefined;
      for (const [name, id] of newLabels) ids.labels.set(name, id);
      const numbers = new Map<string, number>();
      // Blockers go in an earlier document than the follow-ups whose bodies name them, so those bodies carry numbers.
      for (const [round, drafts] of creationRounds(batch.create).entries()) {
        const inputs: Record<string, unknown> = {};
        drafts.forEach((draft, i) => {
          const labelIds = draft.labels.map((l) => ids.labels.get(l.toLowerCase())).filter(Boolean);
          inputs[`i${i}`] = {
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
        const params = drafts.map((_, i) => `$i${i}: CreateIssueInput!`);
        const fields = drafts.map((_, i) => `  f${i}: createIssue(input: $i${i}) { ${ISSUE_FIELDS} }`);
        const document = `mutation ConfigTriageFollowUps(${params.join(", ")}) {\n${fields.join("\n")}\n}`;
        let data: GraphQLData;
        try {
          data = await context.octokit.graphql(document, { ...inputs, ...ONCE });
        } catch (error) {
          const reason = round === 0 ? unsupportedReason(error, false) : undefined;
          if (reason) {
            fallBack(reason);
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
    const variables: Record<string, unknown> = {};
    const params: string[] = [];
    const fields: string[] = [];
    const relinkFailed: number[] = [];
    // By node id: it names the follow-up wherever it is, where a number in this repository may name another issue
    // (the parent was transferred, its marker keeps the old numbers). A marker written before node ids were kept
    // names the follow-up by its database id, which REST's sub-issue endpoint takes.
    const byNode = batch.relink.filter((f) => f.node_id);
    for (const f of batch.relink.filter((x) => !x.node_id)) {
      await rest.addSubIssue(f.id).catch(() => relinkFailed.push(f.number));
    }
    byNode.forEach((f, i) => {
      params.push(`$r${i}: AddSubIssueInput!`);
      variables[`r${i}`] = { issueId: state.issueId, subIssueId: f.node_id };
      fields.push(`r${i}: addSubIssue(input: $r${i}) { subIssue { number } }`);
    });
    if (comment?.id !== undefined) {
      params.push("$c: UpdateIssueCommentInput!");
      variables.c = { id: comment.node_id, body: comment.body };
      fields.push("comment: updateIssueComment(input: $c) { issueComment { id } }");
    } else if (comment) {
      params.push("$c: AddCommentInput!");
      variables.c = { subjectId: state.issueId, body: comment.body };
      fields.push("comment: addComment(input: $c) { commentEdge { node { id } } }");
    }
    if (batch.close) {
      params.push("$x: CloseIssueInput!");
      variables.x = { issueId: state.issueId, stateReason: batch.close.toUpperCase() };
      fields.push("close: closeIssue(input: $x) { issue { state } }");
    }
    if (fields.length) {
      try {
        await context.octokit.graphql(
          `mutation ConfigTriageFinish(${params.join(", ")}) {\n  ${fields.join("\n  ")}\n}`,
          { ...variables, ...ONCE },
        );
      } catch (error) {
        const errors = graphqlErrors(error);
        const others = errors?.filter((e) => !/^r\d+$/.test(String(e.path?.[0] ?? "")));
        if (!errors || others!.length || (error as { data?: unknown }).data == null) throw error;
        for (const e of errors) relinkFailed.push(byNode[Number(String(e.path![0]).slice(1))].number);
      }
    }
    return { created, relinkFailed, dependencies };
  }

  // The read is shared by every read of one triage; a write makes it stale (a command may run triages in a row).
  const thenForget =
    <A extends unknown[], R>(write: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await write(...args);
      } finally {
        reading = undefined;
      }
    };

  const gh: IssueGitHub = {
    ...rest,
    createComment: thenForget(rest.createComment),
    updateComment: thenForget(rest.updateComment),
    createIssue: thenForget(rest.createIssue),
    addSubIssue: thenForget(rest.addSubIssue),
    closeIssue: thenForget(rest.closeIssue),
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
      return state && !restOnly.has(installation) ? [] : rest.listOwnIssues();
    },
    applyWrites: thenForget(async (batch: WriteBatch) => {
      const state = await read();
      return (
        (state && !restOnly.has(installation) && (await graphqlWrites(state, batch))) ||
        applyWritesOneByOne(rest, batch)
      );
    }),
  };
  return gh;
}
