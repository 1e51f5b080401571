import type { Octokit } from "@octokit/rest";
import { LineCounter, parseDocument } from "yaml";
import { CONFIG_PATH } from "../config/schema.js";
import { REPO_TEMPLATE_DIR } from "../render/templates.js";
import type { ConfigRead, GhComment, GhIssue, IssueGitHub } from "./issue-github.js";

/** Thrown by every write of the read-only `IssueGitHub`: a dry run that tries to write is a bug, never a silent no-op. */
export class ReadOnlyError extends Error {
  constructor(method: string) {
    super(`${method}: this is a read-only (dry-run) GitHub client; nothing may be written`);
    this.name = "ReadOnlyError";
  }
}

const MAX_EXTENDS = 5;

/**
 * `IssueGitHub` over `@octokit/rest` that only reads: what the CLI's `plan` uses. Its write methods throw.
 *
 * The config is read like Probot's `context.config`: the repository's file, else the owner's `.github` repository's,
 * and `_extends: repo` or `_extends: owner/repo` merged under it (shallowly, like Probot).
 */
export function readOnlyIssueGitHub(octokit: Octokit, owner: string, repo: string, number: number): IssueGitHub {
  const issue = { owner, repo, issue_number: number };

  async function readText(o: string, r: string, path: string): Promise<string | undefined> {
    try {
      const { data } = await octokit.rest.repos.getContent({ owner: o, repo: r, path, mediaType: { format: "raw" } });
      return String(data);
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  }

  async function readYaml(o: string, r: string, depth: number): Promise<ConfigRead> {
    const text = await readText(o, r, CONFIG_PATH);
    if (text === undefined) return { kind: "absent" };
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: false });
    if (doc.errors.length) {
      const pos = lineCounter.linePos(doc.errors[0].pos[0]);
      const message = doc.errors[0].message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
      const file = o === owner && r === repo ? CONFIG_PATH : `${o}/${r}:${CONFIG_PATH}`;
      return { kind: "invalid", problem: { file, line: pos.line, column: pos.col, path: "", message: `the YAML does not parse: ${message}` } };
    }
    const value = (doc.toJS() ?? {}) as Record<string, unknown>;
    const extendsFrom = value._extends;
    if (typeof extendsFrom !== "string" || depth >= MAX_EXTENDS) return { kind: "found", value };
    const [baseOwner, baseRepo] = extendsFrom.includes("/") ? extendsFrom.split("/", 2) : [o, extendsFrom];
    const base = await readYaml(baseOwner, baseRepo.replace(/:.*$/, ""), depth + 1);
    if (base.kind === "invalid") return base;
    const { _extends: _, ...own } = value;
    return { kind: "found", value: { ...(base.kind === "found" ? (base.value as object) : {}), ...own } };
  }

  const refuse = (method: string) => async (): Promise<never> => {
    throw new ReadOnlyError(method);
  };

  return {
    owner,
    repo,
    number,
    async readConfig() {
      const own = await readYaml(owner, repo, 0);
      return own.kind === "absent" && repo !== ".github" ? readYaml(owner, ".github", 0) : own;
    },
    async readConfigText() {
      return readText(owner, repo, CONFIG_PATH);
    },
    async readRepoFile(path) {
      const text = await readText(owner, repo, path);
      if (text === undefined) return undefined;
      const { data: commits } = await octokit.rest.repos.listCommits({ owner, repo, path, per_page: 1 });
      return { text, updatedAt: commits[0]?.commit?.committer?.date ?? undefined };
    },
    async readRepoTemplates() {
      let listing: unknown;
      try {
        listing = (await octokit.rest.repos.getContent({ owner, repo, path: REPO_TEMPLATE_DIR })).data;
      } catch (error) {
        if ((error as { status?: number }).status === 404) return [];
        throw error;
      }
      if (!Array.isArray(listing)) return [];
      const files = listing.filter((f: { type?: string; name?: string }) => f.type === "file" && f.name?.endsWith(".md"));
      return Promise.all(
        files.map(async (f: { name: string; path: string }) => ({
          name: f.name.slice(0, -3),
          file: f.path,
          text: (await readText(owner, repo, f.path)) ?? "",
        })),
      );
    },
    async listComments(): Promise<GhComment[]> {
      return octokit.paginate(octokit.rest.issues.listComments, { ...issue, per_page: 100 });
    },
    async listSubIssues(): Promise<GhIssue[]> {
      return octokit.paginate(octokit.rest.issues.listSubIssues, { ...issue, per_page: 100 });
    },
    async listOwnIssues(): Promise<GhIssue[]> {
      // A token's bot login is only known when configured; without it the dry run cannot see orphans (it writes nothing).
      const creator = process.env.CONFIG_TRIAGE_BOT_LOGIN;
      if (!creator) return [];
      return octokit.paginate(octokit.rest.issues.listForRepo, { owner, repo, creator, state: "all", sort: "created", direction: "desc", per_page: 100 });
    },
    createComment: refuse("createComment"),
    updateComment: refuse("updateComment"),
    createIssue: refuse("createIssue"),
    addSubIssue: refuse("addSubIssue"),
    closeIssue: refuse("closeIssue"),
    applyWrites: refuse("applyWrites"),
  };
}
