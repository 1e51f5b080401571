/**
 * The values graphql-js walks when the stand-in answers a GraphQL document: plain objects over the stand-in's state,
 * one per GitHub type the app reads (`Repository`, `Issue`, `PullRequest`, `IssueComment`, `Label`, `Milestone`,
 * `User`, `Bot`, `Blob`, `Tree`), and the root query and mutation fields. graphql-js's default resolver reads a
 * property, or calls it with the field's arguments when it is a function, so fields with arguments or costly ones are
 * functions and the rest are values. Every value carries `__typename`, which is how graphql-js resolves interfaces and
 * unions (`Node`, `Actor`, `Labelable`, `IssueOrPullRequest`).
 *
 * Ids are given as the stand-in holds them: `databaseId` (a 32-bit `Int` in GitHub's schema) gets the real id, so an
 * id past 2^31 fails the way it does on github.com; `fullDatabaseId` (`BigInt`) is the id as a string.
 */
import { createHash } from "node:crypto";
import type {
  LabelState,
  MilestoneState,
  RepoState,
  StandInComment,
  StandInIssue,
  StandInUserRef,
} from "./github-standin.js";
import { nodeId } from "./github-ids.js";

/** An execution error (`type` as GitHub's: NOT_FOUND, UNPROCESSABLE, FORBIDDEN, ...): the field becomes null. */
export class ExecError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** What the resolvers need from the stand-in's state, acting as one caller. */
export interface GraphQLHost {
  /** "http://127.0.0.1:PORT" (web URLs: issues, repositories). */
  webUrl: string;
  actor: { user: StandInUserRef; app: { id: number; slug: string } | null };
  repoByName(owner: string, name: string): RepoState | undefined;
  repos(): Iterable<RepoState>;
  issueById(id: number): { repo: RepoState; issue: StandInIssue } | undefined;
  userId(login: string): number;
  /** The login of a user or bot by its node id. */
  loginOfNode(id: string): string | undefined;
  createIssue(
    repo: RepoState,
    fields: {
      title: string;
      body: string | null;
      labels: string[];
      assignees: string[];
      milestone: number | null;
      type?: string | null;
    },
  ): StandInIssue;
  addComment(repo: RepoState, issue: StandInIssue, body: string): StandInComment;
  /** Links child under parent with the REST endpoint's rules; throws an ExecError with GitHub's message otherwise. */
  linkSubIssue(repo: RepoState, parent: StandInIssue, child: StandInIssue, replaceParent: boolean): void;
  ensureLabel(repo: RepoState, name: string, color?: string, description?: string | null): LabelState;
  closeIssue(issue: StandInIssue, reason: string): void;
  checkBody(text: string, resource: string): void;
  touch(issue: StandInIssue): void;
}

type Obj = { __typename: string } & Record<string, unknown>;
type Args = Record<string, unknown>;

/** `first`/`last` are required and at most 100, as on GitHub; cursors are opaque offsets. */
function connection(items: Obj[], args: Args, fieldName: string): Obj {
  const first = args.first as number | undefined | null;
  const last = args.last as number | undefined | null;
  if (first == null && last == null) {
    throw new ExecError(
      "MISSING_PAGINATION_BOUNDARIES",
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${fieldName}\` connection.`,
    );
  }
  for (const [name, n] of [
    ["first", first],
    ["last", last],
  ] as const) {
    if (n != null && (n < 0 || n > 100)) {
      throw new ExecError(
        "EXCESSIVE_PAGINATION",
        `Requesting ${n} records on the \`${fieldName}\` connection exceeds the \`${name}\` limit of 100 records.`,
      );
    }
  }
  const cursor = (i: number) => Buffer.from(`cursor:v2:${i}`).toString("base64");
  const offset = (c: unknown) =>
    Number(/^cursor:v2:(\d+)$/.exec(Buffer.from(String(c), "base64").toString())?.[1] ?? -1);
  let start = args.after != null ? offset(args.after) + 1 : 0;
  let end = args.before != null ? offset(args.before) : items.length;
  if (first != null) end = Math.min(end, start + first);
  if (last != null) start = Math.max(start, end - last);
  const page = items.slice(start, end);
  return {
    __typename: "Connection",
    nodes: page,
    edges: page.map((node, i) => ({ node, cursor: cursor(start + i) })),
    totalCount: items.length,
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: page.length ? cursor(start) : null,
      endCursor: page.length ? cursor(end - 1) : null,
    },
  };
}

function gitSha(kind: "blob" | "tree", text: string): string {
  // Same as `git hash-object` for blobs; a stable stand-in id for trees.
  const buf = Buffer.from(text, "utf8");
  return createHash("sha1").update(`${kind} ${buf.length}\0`).update(buf).digest("hex");
}

/** The views of the stand-in's state that graphql-js reads. */
class Views {
  constructor(readonly host: GraphQLHost) {}

  repo(repo: RepoState): Obj {
    const host = this.host;
    return {
      __typename: "Repository",
      id: repo.node_id,
      databaseId: repo.id,
      name: repo.name,
      nameWithOwner: repo.fullName,
      url: `${host.webUrl}/${repo.fullName}`,
      isPrivate: repo.private,
      hasIssuesEnabled: true,
      owner: () => this.actor({ login: repo.owner, type: "User" }),
      object: (args: Args) => (args.expression == null ? null : this.gitObject(repo, String(args.expression))),
      // GitHub: a pull request's number is not an issue here (NOT_FOUND); `issueOrPullRequest` finds both.
      issue: (args: Args) => {
        const issue = repo.issues.find((i) => i.number === args.number && !i.pull_request);
        if (!issue)
          throw new ExecError("NOT_FOUND", `Could not resolve to an Issue with the number of ${String(args.number)}.`);
        return this.issue(repo, issue);
      },
      pullRequest: (args: Args) => {
        const pr = repo.issues.find((i) => i.number === args.number && i.pull_request);
        if (!pr)
          throw new ExecError(
            "NOT_FOUND",
            `Could not resolve to a PullRequest with the number of ${String(args.number)}.`,
          );
        return this.issue(repo, pr);
      },
      issueOrPullRequest: (args: Args) => {
        const found = repo.issues.find((i) => i.number === args.number);
        if (!found)
          throw new ExecError(
            "NOT_FOUND",
            `Could not resolve to an issue or pull request with the number of ${String(args.number)}.`,
          );
        return this.issue(repo, found);
      },
      labels: (args: Args) => {
        let labels = [...repo.labels.values()];
        if (typeof args.query === "string")
          labels = labels.filter((l) => l.name.toLowerCase().includes(String(args.query).toLowerCase()));
        labels.sort((a, b) => a.name.localeCompare(b.name));
        return connection(
          labels.map((l) => this.label(repo, l)),
          args,
          "labels",
        );
      },
      label: (args: Args) => {
        const l = repo.labels.get(String(args.name).toLowerCase());
        return l ? this.label(repo, l) : null;
      },
      milestones: (args: Args) => {
        const states = (args.states as string[] | null | undefined)?.map((s) => s.toLowerCase());
        const list = repo.milestones.filter((m) => !states || states.includes(m.state));
        return connection(
          list.map((m) => this.milestone(repo, m)),
          args,
          "milestones",
        );
      },
      milestone: (args: Args) => {
        const m = repo.milestones.find((x) => x.number === args.number);
        return m ? this.milestone(repo, m) : null;
      },
    };
  }

  /** An issue, or a pull request (the stand-in keeps both as issues, as GitHub's numbers do). */
  issue(repo: RepoState, issue: StandInIssue): Obj {
    const host = this.host;
    const children = () =>
      issue.sub_issues
        .map((id) => host.issueById(id))
        .filter((x): x is { repo: RepoState; issue: StandInIssue } => !!x);
    const common = {
      id: issue.node_id,
      databaseId: issue.id,
      fullDatabaseId: String(issue.id),
      number: issue.number,
      title: issue.title,
      body: issue.body ?? "",
      closed: issue.state === "closed",
      closedAt: issue.closed_at,
      createdAt: issue.created_at,
      updatedAt: issue.updated_at,
      url: `${host.webUrl}/${repo.fullName}/${issue.pull_request ? "pull" : "issues"}/${issue.number}`,
      author: () => this.actor(issue.user),
      repository: () => this.repo(repo),
      comments: (args: Args) =>
        connection(
          issue.comments.map((c) => this.comment(repo, issue, c)),
          args,
          "comments",
        ),
      labels: (args: Args) =>
        connection(
          issue.labels.map((l) => this.label(repo, host.ensureLabel(repo, l))),
          args,
          "labels",
        ),
      assignees: (args: Args) =>
        connection(
          issue.assignees.map((a) => this.actor({ login: a, type: "User" })),
          args,
          "assignees",
        ),
      milestone: () => {
        const m = issue.milestone == null ? undefined : repo.milestones.find((x) => x.number === issue.milestone);
        return m ? this.milestone(repo, m) : null;
      },
      issueType: () => {
        const t = issue.type ? repo.issueTypes?.find((x) => x.name === issue.type) : undefined;
        return t ? { __typename: "IssueType", id: t.node_id, name: t.name, description: null, isEnabled: true } : null;
      },
    };
    if (issue.pull_request) return { __typename: "PullRequest", ...common, state: issue.state.toUpperCase() };
    return {
      __typename: "Issue",
      ...common,
      state: issue.state.toUpperCase(),
      stateReason: issue.state_reason ? issue.state_reason.toUpperCase() : null,
      subIssues: (args: Args) =>
        connection(
          children().map((c) => this.issue(c.repo, c.issue)),
          args,
          "subIssues",
        ),
      parent: () => {
        const p = issue.parent !== null ? host.issueById(issue.parent) : undefined;
        return p ? this.issue(p.repo, p.issue) : null;
      },
      subIssuesSummary: () => {
        const all = children();
        const completed = all.filter((c) => c.issue.state === "closed").length;
        return {
          total: all.length,
          completed,
          percentCompleted: all.length ? Math.floor((completed * 100) / all.length) : 0,
        };
      },
    };
  }

  comment(repo: RepoState, issue: StandInIssue, c: StandInComment): Obj {
    return {
      __typename: "IssueComment",
      id: c.node_id,
      databaseId: c.id,
      fullDatabaseId: String(c.id),
      body: c.body,
      author: () => this.actor(c.user),
      url: `${this.host.webUrl}/${repo.fullName}/issues/${issue.number}#issuecomment-${c.id}`,
      createdAt: c.created_at,
      updatedAt: c.updated_at,
      repository: () => this.repo(repo),
      issue: () => this.issue(repo, issue),
      pullRequest: () => (issue.pull_request ? this.issue(repo, issue) : null),
    };
  }

  actor(user: StandInUserRef): Obj {
    const id = this.host.userId(user.login);
    // GraphQL names an app's bot by its slug: REST's `config-triage[bot]` is the Bot `config-triage` here.
    const slug = user.login.replace(/\[bot\]$/, "");
    return user.type === "Bot"
      ? {
          __typename: "Bot",
          id: nodeId("BOT", id),
          databaseId: id,
          login: slug,
          url: `${this.host.webUrl}/apps/${slug}`,
        }
      : {
          __typename: "User",
          id: nodeId("U", id),
          databaseId: id,
          login: user.login,
          url: `${this.host.webUrl}/${user.login}`,
        };
  }

  label(repo: RepoState, l: LabelState): Obj {
    return {
      __typename: "Label",
      id: l.node_id,
      name: l.name,
      color: l.color,
      description: l.description,
      isDefault: false,
      url: `${this.host.webUrl}/${repo.fullName}/labels/${encodeURIComponent(l.name)}`,
      repository: () => this.repo(repo),
    };
  }

  milestone(repo: RepoState, m: MilestoneState): Obj {
    return {
      __typename: "Milestone",
      id: m.node_id,
      number: m.number,
      title: m.title,
      description: m.description,
      state: m.state.toUpperCase(),
      closed: m.state === "closed",
      dueOn: m.due_on,
      url: `${this.host.webUrl}/${repo.fullName}/milestone/${m.number}`,
      repository: () => this.repo(repo),
    };
  }

  gitObject(repo: RepoState, expression: string): Obj | null {
    const m = /^([^:]+):(.*)$/.exec(expression);
    if (!m) return null;
    const [, rev, rawPath] = m;
    if (rev !== "HEAD" && rev !== repo.defaultBranch) return null;
    const path = rawPath.replace(/^\/+|\/+$/g, "");
    const text = repo.files.get(path);
    if (text !== undefined) return this.blob(text);
    const prefix = path === "" ? "" : `${path}/`;
    const entries = new Map<string, "blob" | "tree">();
    for (const f of repo.files.keys()) {
      if (!f.startsWith(prefix)) continue;
      const [head, ...tail] = f.slice(prefix.length).split("/");
      entries.set(head, tail.length ? "tree" : "blob");
    }
    if (entries.size === 0 && path !== "") return null;
    const oid = gitSha("tree", `${repo.fullName}:${path}`);
    return {
      __typename: "Tree",
      id: `T_${Buffer.from(oid, "hex").toString("base64url")}`,
      oid,
      abbreviatedOid: oid.slice(0, 7),
      entries: [...entries.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, type]) => {
          const full = prefix + name;
          const object = () =>
            type === "blob" ? this.blob(repo.files.get(full)!) : this.gitObject(repo, `HEAD:${full}`);
          return {
            name,
            path: full,
            type,
            mode: type === "blob" ? 33188 : 16384,
            oid: type === "blob" ? gitSha("blob", repo.files.get(full)!) : gitSha("tree", `${repo.fullName}:${full}`),
            extension: type === "blob" && name.includes(".") ? name.slice(name.lastIndexOf(".")) : null,
            object,
          };
        }),
    };
  }

  blob(text: string): Obj {
    const oid = gitSha("blob", text);
    return {
      __typename: "Blob",
      id: `B_${Buffer.from(oid, "hex").toString("base64url")}`,
      oid,
      abbreviatedOid: oid.slice(0, 7),
      text,
      byteSize: Buffer.byteLength(text),
      isBinary: false,
      isTruncated: false,
    };
  }

  // ----- lookups by node id -----

  private notFound(id: unknown, what?: string): never {
    throw new ExecError(
      "NOT_FOUND",
      `Could not resolve to a node with the global id of '${String(id)}'${what ? ` (${what})` : ""}`,
    );
  }

  /** Anything the stand-in keeps, by its node id (`Query.node`). */
  node(id: unknown): Obj | null {
    for (const repo of this.host.repos()) {
      if (repo.node_id === id) return this.repo(repo);
      for (const issue of repo.issues) {
        if (issue.node_id === id) return this.issue(repo, issue);
        const c = issue.comments.find((x) => x.node_id === id);
        if (c) return this.comment(repo, issue, c);
      }
      for (const l of repo.labels.values()) if (l.node_id === id) return this.label(repo, l);
      for (const m of repo.milestones) if (m.node_id === id) return this.milestone(repo, m);
    }
    const login = typeof id === "string" ? this.host.loginOfNode(id) : undefined;
    if (login) return this.actor({ login, type: String(id).startsWith("BOT_") ? "Bot" : "User" });
    return null;
  }

  issueByNode(id: unknown, what: string): { repo: RepoState; issue: StandInIssue } {
    for (const repo of this.host.repos()) {
      const issue = repo.issues.find((i) => i.node_id === id && !i.pull_request);
      if (issue) return { repo, issue };
    }
    return this.notFound(id, what);
  }

  /** An issue or a pull request (both are `Labelable`, and both take comments). */
  issueOrPullRequestByNode(id: unknown, what: string): { repo: RepoState; issue: StandInIssue } {
    for (const repo of this.host.repos()) {
      const issue = repo.issues.find((i) => i.node_id === id);
      if (issue) return { repo, issue };
    }
    return this.notFound(id, what);
  }

  repoByNode(id: unknown, what: string): RepoState {
    for (const repo of this.host.repos()) if (repo.node_id === id) return repo;
    return this.notFound(id, what);
  }

  commentByNode(id: unknown): { repo: RepoState; issue: StandInIssue; comment: StandInComment } {
    for (const repo of this.host.repos()) {
      for (const issue of repo.issues) {
        const comment = issue.comments.find((c) => c.node_id === id);
        if (comment) return { repo, issue, comment };
      }
    }
    return this.notFound(id, "id");
  }

  labelsByNode(repo: RepoState, ids: unknown[] | null | undefined, what: string): string[] {
    return (ids ?? []).map((id) => {
      const l = [...repo.labels.values()].find((x) => x.node_id === id);
      return l ? l.name : this.notFound(id, what);
    });
  }
}

/** The root values for one request: `Query`'s fields and `Mutation`'s, over the stand-in's state as `host` acts. */
export function createRoot(host: GraphQLHost): { query: Obj; mutation: Obj } {
  const v = new Views(host);
  const query: Obj = {
    __typename: "Query",
    repository: (args: Args) => {
      const repo = host.repoByName(String(args.owner), String(args.name));
      if (!repo)
        throw new ExecError(
          "NOT_FOUND",
          `Could not resolve to a Repository with the name '${String(args.owner)}/${String(args.name)}'.`,
        );
      return v.repo(repo);
    },
    user: (args: Args) => {
      const login = String(args.login);
      if (login.endsWith("[bot]") || !/^[A-Za-z0-9-]+$/.test(login))
        throw new ExecError("NOT_FOUND", `Could not resolve to a User with the login of '${login}'.`);
      return v.actor({ login, type: "User" });
    },
    node: (args: Args) => {
      const found = v.node(args.id);
      if (!found)
        throw new ExecError("NOT_FOUND", `Could not resolve to a node with the global id of '${String(args.id)}'`);
      return found;
    },
    nodes: (args: Args) => (args.ids as unknown[]).map((id) => v.node(id)),
  };

  const mutation: Obj = {
    __typename: "Mutation",
    createIssue: ({ input }: { input: Args }) => {
      const repo = v.repoByNode(input.repositoryId, "repositoryId");
      const title = String(input.title);
      if (title.trim() === "") throw new ExecError("UNPROCESSABLE", "Title can't be blank");
      if (title.length > 256) throw new ExecError("UNPROCESSABLE", "Title is too long (maximum is 256 characters)");
      if (typeof input.body === "string") host.checkBody(input.body, "Issue");
      const labels = v.labelsByNode(repo, input.labelIds as unknown[] | null, "labelIds");
      const assignees = ((input.assigneeIds as unknown[] | null | undefined) ?? []).map((id) => {
        const login = typeof id === "string" && !id.startsWith("BOT_") ? host.loginOfNode(id) : undefined;
        if (!login)
          throw new ExecError(
            "NOT_FOUND",
            `Could not resolve to a node with the global id of '${String(id)}' (assigneeIds)`,
          );
        return login;
      });
      let milestone: number | null = null;
      if (input.milestoneId != null) {
        const m = repo.milestones.find((x) => x.node_id === input.milestoneId);
        if (!m)
          throw new ExecError(
            "NOT_FOUND",
            `Could not resolve to a node with the global id of '${String(input.milestoneId)}' (milestoneId)`,
          );
        milestone = m.number;
      }
      let type: string | null = null;
      if (input.issueTypeId != null) {
        const t = repo.issueTypes?.find((x) => x.node_id === input.issueTypeId);
        if (!t)
          throw new ExecError(
            "NOT_FOUND",
            `Could not resolve to a node with the global id of '${String(input.issueTypeId)}' (issueTypeId)`,
          );
        type = t.name;
      }
      const parent = input.parentIssueId != null ? v.issueByNode(input.parentIssueId, "parentIssueId") : undefined;
      if (parent && parent.issue.sub_issues.length >= 100)
        throw new ExecError("UNPROCESSABLE", "Parent cannot have more than 100 sub-issues");
      const body = typeof input.body === "string" ? input.body : null;
      const issue = host.createIssue(repo, { title, body, labels, assignees, milestone, type });
      if (parent) host.linkSubIssue(parent.repo, parent.issue, issue, false);
      return { clientMutationId: input.clientMutationId ?? null, issue: v.issue(repo, issue) };
    },
    addComment: ({ input }: { input: Args }) => {
      const { repo, issue } = v.issueOrPullRequestByNode(input.subjectId, "subjectId");
      host.checkBody(String(input.body), "IssueComment");
      const comment = host.addComment(repo, issue, String(input.body));
      return {
        clientMutationId: input.clientMutationId ?? null,
        commentEdge: {
          node: v.comment(repo, issue, comment),
          cursor: Buffer.from(`cursor:v2:${issue.comments.length - 1}`).toString("base64"),
        },
        subject: v.issue(repo, issue),
        timelineEdge: null,
      };
    },
    updateIssueComment: ({ input }: { input: Args }) => {
      const { repo, issue, comment } = v.commentByNode(input.id);
      host.checkBody(String(input.body), "IssueComment");
      comment.body = String(input.body);
      comment.updated_at = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
      return { clientMutationId: input.clientMutationId ?? null, issueComment: v.comment(repo, issue, comment) };
    },
    closeIssue: ({ input }: { input: Args }) => {
      const { repo, issue } = v.issueByNode(input.issueId, "issueId");
      host.closeIssue(issue, String(input.stateReason ?? "COMPLETED").toLowerCase());
      return { clientMutationId: input.clientMutationId ?? null, issue: v.issue(repo, issue) };
    },
    addSubIssue: ({ input }: { input: Args }) => {
      const parent = v.issueByNode(input.issueId, "issueId");
      let child: { repo: RepoState; issue: StandInIssue } | undefined;
      if (input.subIssueId != null) child = v.issueByNode(input.subIssueId, "subIssueId");
      else if (typeof input.subIssueUrl === "string") {
        const base = host.webUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        const m = new RegExp(`^${base}/([^/]+)/([^/]+)/issues/(\\d+)$`).exec(input.subIssueUrl);
        const repo = m ? host.repoByName(m[1], m[2]) : undefined;
        const issue = repo?.issues.find((i) => i.number === Number(m![3]));
        if (!repo || !issue)
          throw new ExecError("NOT_FOUND", `Could not resolve to an Issue with the URL of '${input.subIssueUrl}'.`);
        child = { repo, issue };
      } else {
        throw new ExecError("UNPROCESSABLE", "One of subIssueId or subIssueUrl is required");
      }
      host.linkSubIssue(parent.repo, parent.issue, child.issue, input.replaceParent === true);
      return {
        clientMutationId: input.clientMutationId ?? null,
        issue: v.issue(parent.repo, parent.issue),
        subIssue: v.issue(child.repo, child.issue),
      };
    },
    addLabelsToLabelable: ({ input }: { input: Args }) => {
      const { repo, issue } = v.issueOrPullRequestByNode(input.labelableId, "labelableId");
      for (const name of v.labelsByNode(repo, input.labelIds as unknown[], "labelIds")) {
        if (!issue.labels.some((n) => n.toLowerCase() === name.toLowerCase())) issue.labels.push(name);
      }
      host.touch(issue);
      return { clientMutationId: input.clientMutationId ?? null, labelable: v.issue(repo, issue) };
    },
    createLabel: ({ input }: { input: Args }) => {
      const repo = v.repoByNode(input.repositoryId, "repositoryId");
      const name = String(input.name);
      if (repo.labels.has(name.toLowerCase())) throw new ExecError("UNPROCESSABLE", "Name has already been taken");
      if (!/^[0-9a-fA-F]{6}$/.test(String(input.color))) throw new ExecError("UNPROCESSABLE", "Color is invalid");
      const label = host.ensureLabel(
        repo,
        name,
        String(input.color).toLowerCase(),
        (input.description as string | null | undefined) ?? null,
      );
      return { clientMutationId: input.clientMutationId ?? null, label: v.label(repo, label) };
    },
  };
  return { query, mutation };
}
