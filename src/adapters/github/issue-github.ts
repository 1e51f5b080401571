import type { Octokit } from "@octokit/rest";
import type { Context } from "probot";
import { configAt, loadConfig, type ConfigFiles, type ConfigRead } from "../../use-cases/load-config.js";
import { CONFIG_PATH } from "../../domain/config/schema.js";
import type {
  AppliedWrites,
  DependencyLink,
  DependencyResult,
  GhIssue,
  IssueGitHub,
  RepoTemplateFile,
  WriteBatch,
} from "../../use-cases/ports/issue-github.js";
import type { ConfigProblem } from "../../domain/config/parse-config.js";
import { resolveFollowUpRefs } from "../../domain/follow-up-plan/follow-up-refs.js";
import { REPO_TEMPLATE_DIR } from "../../domain/config/follow-up-template.js";

/** What a token left in a body says when its follow-up was not opened after all (never sent as a token). */
export const unopened = (template: string) => `the \`${template}\` follow-up`;

/** The single writes `applyWritesOneByOne` makes a batch of. */
export type SingleWrites = Pick<
  IssueGitHub,
  "createIssue" | "addSubIssue" | "listBlockedBy" | "addBlockedBy" | "createComment" | "updateComment" | "closeIssue"
>;

/** `applyWrites` through the single-write methods, one request per write (the REST way). */
export async function applyWritesOneByOne(gh: SingleWrites, batch: WriteBatch): Promise<AppliedWrites> {
  const created: GhIssue[] = [];
  const numbers = new Map<string, number>();
  for (const draft of batch.create) {
    // The batch lists blockers first: a body that names one gets its number.
    const issue = await gh.createIssue({ ...draft, body: resolveFollowUpRefs(draft.body, numbers, unopened) });
    if (draft.template) numbers.set(draft.template, issue.number);
    await gh.addSubIssue(issue.id);
    created.push(issue);
  }
  const relinkFailed: number[] = [];
  for (const unlinked of batch.relink) {
    await gh.addSubIssue(unlinked.id).catch(() => relinkFailed.push(unlinked.number));
  }
  const dependencies = await applyDependencies(gh, batch.dependencies?.(created) ?? []);
  const comment = batch.comment(created, dependencies);
  if (comment?.id !== undefined) await gh.updateComment(comment.id, comment.body);
  else if (comment) await gh.createComment(comment.body);
  if (batch.close) await gh.closeIssue(batch.close);
  return { created, relinkFailed, dependencies };
}

/** Why GitHub refused a dependency request, or undefined for a fault worth retrying the run for (thrown). */
function dependencyRefusal(error: unknown): { reason: string; unavailable: boolean } | undefined {
  const status = (error as { status?: number }).status;
  if (status !== 403 && status !== 404 && status !== 410 && status !== 422) return undefined;
  const answer = (error as { response?: { data?: { message?: string } } }).response?.data?.message;
  const message = String(answer ?? (error as Error).message ?? "");
  if (status === 403 && /rate limit/i.test(message)) return undefined;
  const why =
    status === 404 || status === 410
      ? "this GitHub has no issue dependencies (GitHub Enterprise Server before 3.19), or the app cannot see the issues"
      : status === 403
        ? "the app may not write issue dependencies here (it needs the Issues write permission)"
        : "GitHub did not accept it";
  const said = message ? ` ${message.split("\n")[0].slice(0, 200)}` : "";
  return { reason: `HTTP ${status}${said}: ${why}`, unavailable: status === 404 || status === 410 };
}

/**
 * Records dependencies through REST, each once: a follow-up created by this run is linked at once (one request per
 * link); an older one's dependencies are read first (one request per follow-up) so a link that exists is not sent
 * again. A refusal (an older GitHub Enterprise Server, a missing permission) is reported per link, never thrown: the
 * follow-ups stay open and the comment says which links could not be made. After a 404 the rest are not tried.
 */
export async function applyDependencies(
  gh: Pick<IssueGitHub, "listBlockedBy" | "addBlockedBy">,
  links: DependencyLink[],
): Promise<DependencyResult> {
  const result: DependencyResult = { made: [], found: [], failed: [] };
  const recorded = new Map<number, Set<number>>();
  let unavailable: string | undefined;
  for (const link of links) {
    if (unavailable) {
      result.failed.push({ link, reason: unavailable });
      continue;
    }
    try {
      if (!link.blocked.fresh) {
        let ids = recorded.get(link.blocked.number);
        if (!ids) {
          ids = new Set((await gh.listBlockedBy(link.blocked.number)).map((i) => i.id));
          recorded.set(link.blocked.number, ids);
        }
        if (ids.has(link.blocking.id)) {
          result.found.push(link);
          continue;
        }
      }
      await gh.addBlockedBy(link.blocked.number, link.blocking.id);
      result.made.push(link);
    } catch (error) {
      const refusal = dependencyRefusal(error);
      if (!refusal) throw error;
      result.failed.push({ link, reason: refusal.reason });
      if (refusal.unavailable) unavailable = refusal.reason;
    }
  }
  return result;
}

type IssueContext = Context<"issues" | "issue_comment">;

/**
 * A file's raw content as text. GitHub answers `format: raw` with `text/plain`, which Octokit gives as a string; under
 * another content type (some proxies and GitHub Enterprise versions say `application/vnd.github.raw`) Octokit gives
 * an ArrayBuffer, which `String()` would turn into "[object ArrayBuffer]".
 */
function rawText(data: unknown): string {
  return data instanceof ArrayBuffer ? new TextDecoder().decode(data) : String(data);
}

/** Content-creating POSTs go out once: Probot's retry plugin would repeat them on a 5xx that may have written. */
const ONCE = { request: { retries: 0 } };

const botLogins = new Map<string, Promise<string | undefined>>();

/**
 * The app's bot login (`<slug>[bot]`): `CONFIG_TRIAGE_BOT_LOGIN` when set, else asked once per process from
 * `GET /app` with the app's JWT. Undefined when not running as a GitHub App (e.g. a plain token).
 */
export function botLoginOf(context: IssueContext, configured: string | undefined): Promise<string | undefined> {
  if (configured) return Promise.resolve(configured);
  const octokit = context.octokit;
  const key = String(octokit.request.endpoint.DEFAULTS.baseUrl);
  let login = botLogins.get(key);
  if (!login) {
    login = (async () => {
      const auth =
        (await (octokit.auth as (o: object) => Promise<{ token?: string; type?: string }>)({ type: "app" }).catch(
          () => undefined,
        )) ?? {};
      if (auth.type !== "app" || !auth.token) return undefined;
      const { data } = await octokit.request("GET /app", { headers: { authorization: `bearer ${auth.token}` } });
      return data?.slug ? `${data.slug}[bot]` : undefined;
    })();
    login.catch(() => botLogins.delete(key));
    botLogins.set(key, login);
  }
  return login;
}

/** The few Octokit parts the REST implementation uses: Probot's client and `@octokit/rest` both have them. */
type RestOctokit = Pick<Octokit, "rest" | "paginate" | "request">;

/**
 * Reads a file's text at `ref` (default: the default branch); undefined when there is none (404). The one file reader
 * of the app: the triage, the CLI and the pull-request check all read through it.
 */
export async function readRawFile(
  octokit: RestOctokit,
  owner: string,
  repo: string,
  path: string,
  ref?: string,
): Promise<string | undefined> {
  try {
    const { data } = await octokit.rest.repos.getContent({
      owner,
      repo,
      path,
      ...(ref ? { ref } : {}),
      mediaType: { format: "raw" },
    });
    return rawText(data);
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}

/**
 * The config source's files on GitHub, through `readRawFile`: the default branch, except `head`'s repository, read at
 * `head.ref` (a pull request's head: its bases are still read from their default branches, as the app will).
 */
export function githubConfigFiles(
  octokit: RestOctokit,
  head?: { owner: string; repo: string; ref: string },
): ConfigFiles {
  return {
    read: ({ owner, repo, path }) => {
      const atHead = head && head.owner === owner && head.repo === repo;
      return readRawFile(octokit, owner, repo, path, atHead ? head.ref : undefined);
    },
  };
}

/** At most this many repository templates are read (the built-in set has four). */
export const MAX_REPO_TEMPLATES = 30;
/** A template renders into an issue body, which GitHub caps at 65,536 characters: a larger file cannot be used. */
export const MAX_TEMPLATE_BYTES = 64 * 1024;

/**
 * The `.md` files of the template folder at `ref`, bounded before anything is fetched: at most `MAX_REPO_TEMPLATES`
 * (by name), none over `MAX_TEMPLATE_BYTES` (by the listing's size, checked again on the text). A file over a bound
 * is not fetched; it comes back with a `problem` that says which bound and what to do. Anyone can open a pull request
 * from a fork, so the pull-request check reads the head through this too.
 */
export async function readTemplateDir(
  octokit: RestOctokit,
  owner: string,
  repo: string,
  ref?: string,
): Promise<RepoTemplateFile[]> {
  let listing: unknown;
  try {
    listing = (await octokit.rest.repos.getContent({ owner, repo, path: REPO_TEMPLATE_DIR, ...(ref ? { ref } : {}) }))
      .data;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return [];
    throw error;
  }
  if (!Array.isArray(listing)) return [];
  const entries = (listing as Array<{ type?: string; name?: string; path?: string; size?: number }>)
    .filter((f) => f.type === "file" && f.name?.endsWith(".md") && f.path === `${REPO_TEMPLATE_DIR}/${f.name}`)
    .sort((a, b) => a.name!.localeCompare(b.name!));
  const oversize = (file: string, bytes: number): ConfigProblem => ({
    file,
    path: "",
    message:
      `the file is ${bytes} bytes; a template may be at most ${MAX_TEMPLATE_BYTES} bytes (an issue body is at most ` +
      `65,536 characters): shorten it`,
  });
  const read = await Promise.all(
    entries.slice(0, MAX_REPO_TEMPLATES).map(async (f): Promise<RepoTemplateFile> => {
      const base = { name: f.name!.slice(0, -3), file: f.path! };
      if ((f.size ?? 0) > MAX_TEMPLATE_BYTES) return { ...base, text: "", problem: oversize(f.path!, f.size!) };
      const text = (await readRawFile(octokit, owner, repo, f.path!, ref)) ?? "";
      const bytes = Buffer.byteLength(text);
      return bytes > MAX_TEMPLATE_BYTES ? { ...base, text: "", problem: oversize(f.path!, bytes) } : { ...base, text };
    }),
  );
  if (entries.length > MAX_REPO_TEMPLATES) {
    const left = entries.slice(MAX_REPO_TEMPLATES).map((f) => `\`${f.name}\``);
    read.push({
      name: "",
      file: REPO_TEMPLATE_DIR,
      text: "",
      problem: {
        file: REPO_TEMPLATE_DIR,
        path: "",
        message:
          `${entries.length} templates; the app reads at most ${MAX_REPO_TEMPLATES}: remove ${left.length} (not ` +
          `read: ${left.slice(0, 10).join(", ")}${left.length > 10 ? ", ..." : ""})`,
      },
    });
  }
  return read;
}

/**
 * The REST implementation of `IssueGitHub`, over any Octokit with the REST methods. How the config is read and who
 * the app's bot is depend on where it runs (a Probot context, the CLI), so the caller passes them.
 */
export function restIssueGitHub(
  octokit: RestOctokit,
  ref: { owner: string; repo: string; number: number },
  how: {
    readConfig(): Promise<ConfigRead>;
    /** The app's bot login, to find its own issues; undefined when unknown. */
    botLogin(): Promise<string | undefined>;
    /** When the parent was opened: the app's follow-ups are newer. */
    parentCreatedAt?: string;
  },
): IssueGitHub {
  const { owner, repo, number } = ref;
  const issue = { owner, repo, issue_number: number };
  const gh: IssueGitHub = {
    owner,
    repo,
    number,
    readConfig: () => how.readConfig(),
    async readConfigText() {
      return readRawFile(octokit, owner, repo, CONFIG_PATH).catch(() => undefined);
    },
    readRepoTemplates: () => readTemplateDir(octokit, owner, repo),
    async readRepoFile(path) {
      const text = await readRawFile(octokit, owner, repo, path);
      if (text === undefined) return undefined;
      const { data: commits } = await octokit.rest.repos.listCommits({ owner, repo, path, per_page: 1 });
      const updatedAt = commits[0]?.commit?.committer?.date ?? commits[0]?.commit?.author?.date ?? undefined;
      return { text, updatedAt };
    },
    async listComments() {
      return octokit.paginate(octokit.rest.issues.listComments, { ...issue, per_page: 100 });
    },
    async listSubIssues() {
      return octokit.paginate(octokit.rest.issues.listSubIssues, { ...issue, per_page: 100 });
    },
    async listOwnIssues() {
      const creator = await how.botLogin();
      if (!creator) return [];
      return octokit.paginate(octokit.rest.issues.listForRepo, {
        owner,
        repo,
        creator,
        state: "all",
        sort: "created",
        direction: "desc",
        per_page: 100,
        ...(how.parentCreatedAt ? { since: how.parentCreatedAt } : {}),
      });
    },
    async createComment(body) {
      return (await octokit.rest.issues.createComment({ ...issue, body, ...ONCE })).data;
    },
    async updateComment(id, body) {
      await octokit.rest.issues.updateComment({ owner, repo, comment_id: id, body });
    },
    async createIssue(draft) {
      const { title, body, labels, assignees } = draft;
      const structure = {
        ...(draft.milestone ? { milestone: draft.milestone.number } : {}),
        ...(draft.type ? { type: draft.type.name } : {}),
      };
      const fields = { title, body, labels, assignees, ...structure };
      const { data } = await octokit.rest.issues.create({ owner, repo, ...fields, ...ONCE });
      // Absent means not set: GitHub answers without `type` where the repository has no issue types.
      return { ...(data as GhIssue), milestone: data.milestone ?? null, type: (data as GhIssue).type ?? null };
    },
    async addSubIssue(childId) {
      await octokit.rest.issues.addSubIssue({ ...issue, sub_issue_id: childId });
    },
    async listMilestones() {
      const open = { owner, repo, state: "open" as const, per_page: 100 };
      const milestones = await octokit.paginate(octokit.rest.issues.listMilestones, open);
      return milestones.map(({ number, title, due_on, node_id }) => ({ number, title, due_on, node_id }));
    },
    async listIssueTypes() {
      try {
        const { data } = await octokit.request("GET /repos/{owner}/{repo}/issue-types", { owner, repo });
        return (data as Array<{ name: string; node_id: string }>).map(({ name, node_id }) => ({ name, node_id }));
      } catch (error) {
        // A repository of a user (issue types belong to organisations), or a GitHub without them.
        if ((error as { status?: number }).status === 404) return undefined;
        throw error;
      }
    },
    async listBlockedBy(number) {
      const params = { owner, repo, issue_number: number, per_page: 100 };
      return octokit.paginate(octokit.rest.issues.listDependenciesBlockedBy, params);
    },
    async addBlockedBy(number, blockingId) {
      const link = { owner, repo, issue_number: number, issue_id: blockingId };
      await octokit.rest.issues.addBlockedByDependency({ ...link, ...ONCE });
    },
    async closeIssue(reason) {
      await octokit.rest.issues.update({ ...issue, state: "closed", state_reason: reason });
    },
    async updateOtherIssue(other, update) {
      const state = update.close
        ? { state: "closed" as const, state_reason: update.close }
        : update.reopen
          ? { state: "open" as const }
          : {};
      const body = update.body !== undefined ? { body: update.body } : {};
      await octokit.rest.issues.update({ owner, repo, issue_number: other, ...body, ...state });
    },
    async commentOnOther(other, body) {
      await octokit.rest.issues.createComment({ owner, repo, issue_number: other, body, ...ONCE });
    },
    applyWrites: (batch) => applyWritesOneByOne(gh, batch),
  };
  return gh;
}

/** The REST implementation of `IssueGitHub` on a Probot context: the config through the app's one config source. */
export function issueGitHubFromContext(
  context: IssueContext,
  number: number = context.payload.issue.number,
  /** `CONFIG_TRIAGE_BOT_LOGIN` (the app identity's `botLogin`); else looked up from `GET /app`. */
  botLogin?: string,
): IssueGitHub {
  const { owner, repo } = context.repo();
  const parent = (context.payload as { issue?: { number?: number; created_at?: string } }).issue;
  return restIssueGitHub(
    context.octokit as unknown as RestOctokit,
    { owner, repo, number },
    {
      readConfig: () => loadConfig(githubConfigFiles(context.octokit as unknown as RestOctokit), configAt(owner, repo)),
      botLogin: () => botLoginOf(context, botLogin),
      parentCreatedAt: parent?.number === number ? parent.created_at : undefined,
    },
  );
}
