import type { Context } from "probot";
import { addedCommands, parseCommands, suggestVerb, type ParsedCommand } from "./parse-commands.js";
import { roleCheck, type PermissionAnswer } from "../../domain/roles/resolve-role.js";
import { parseConfig, type ConfigProblem } from "../../domain/config/parse-config.js";
import { CONFIG_PATH, type Config } from "../../domain/config/schema.js";
import type { Reaction } from "../ports/command-github.js";
import type { ConfigRead, GhComment } from "../ports/issue-github.js";
import { escapeMarkdown } from "../../rendering/escape-markdown.js";
import { renderCommandLimitNotice } from "../../rendering/render-limits.js";
import { isAppAuthored, noticeMarker, readFollowUpMarker } from "../../domain/issue-state/markers.js";
import type { TriageNeeds } from "../triage/run-triage.js";
import type { Command, CommandContext, CommandIssue } from "./command.js";
import { type CommandPorts, commands as registered } from "./command-list.js";
import type { ReviewGitHub } from "./record-review.js";
import type { Feature } from "../feature.js";
import { issueWatchOf } from "../issue-watch.js";
import { alreadySaid } from "../say-once.js";

/** One comment's commands: plain data, so a durable queue can carry it later. */
export interface CommandJob {
  issue: CommandIssue & { pull_request?: unknown };
  commentId: number;
  author: string;
  commands: ParsedCommand[];
}

/** What the runner itself asks of GitHub for a comment with commands: the config, reactions, the role, replies. */
export interface CommandRunnerGitHub {
  readonly owner: string;
  readonly repo: string;
  readConfig(): Promise<ConfigRead>;
  readConfigText(): Promise<string | undefined>;
  react(commentId: number, content: Reaction): Promise<void>;
  /** The collaborator permission answer for `user`; throws with `status` when GitHub refuses. */
  permissionOf(user: string): Promise<PermissionAnswer>;
  createComment(body: string): Promise<GhComment>;
  /** To find a notice the app already gave (`say-once.ts`). */
  listComments(): Promise<GhComment[]>;
}

/**
 * What the command runner needs besides the comment it runs: GitHub for the runner and every command's port, the
 * triage's needs, the commands. Each command gets its own `CommandContext` from it.
 */
export interface CommandRunnerNeeds {
  gh: CommandRunnerGitHub & CommandPorts;
  /** GitHub for a follow-up's parent, where `approve` and `reject` record the review. */
  ghFor(number: number): ReviewGitHub;
  deps: TriageNeeds;
  commands: Command<CommandPorts, ReviewGitHub>[];
}

interface Failure {
  command: ParsedCommand;
  reason: string;
  /** Refused for want of a role, to someone with no role beyond `read`: answered once per issue and person. */
  stranger?: boolean;
}

/** At most this many commands of one comment run; the rest are answered as not run. */
export const MAX_COMMANDS_PER_COMMENT = 10;
/** At most this many comments with commands from one person on one issue are acted on and answered per hour. */
export const MAX_COMMAND_COMMENTS_PER_HOUR = 10;
const HOUR = 3_600_000;

/**
 * Counts this comment against its author's hourly cap on this issue (anyone can write `/triage help`, and every
 * answer is a write). `false`: do nothing; the first comment past the cap gets one reply saying so, later ones none.
 */
async function withinCommandLimit(env: CommandRunnerNeeds, job: CommandJob): Promise<boolean> {
  const store = env.deps.rateLimits;
  if (!store) return true;
  const { gh } = env;
  const hit = await store.hit(`commands:${gh.owner}/${gh.repo}#${job.issue.number}@${job.author.toLowerCase()}`, HOUR);
  if (hit.count <= MAX_COMMAND_COMMENTS_PER_HOUR) return true;
  const first = hit.count === MAX_COMMAND_COMMENTS_PER_HOUR + 1;
  env.deps.log.warn(
    { issue: job.issue.number, author: job.author, count: hit.count, answered: first },
    "commands ignored: the author's hourly cap on this issue is reached",
  );
  if (first) {
    const limit = MAX_COMMAND_COMMENTS_PER_HOUR;
    const { number } = job.issue;
    const notice = renderCommandLimitNotice({
      author: job.author,
      number,
      limit,
      resetInMs: hit.resetInMs,
      now: Date.now(),
    });
    await gh.createComment(notice);
  }
  return false;
}

function located(p: ConfigProblem): string {
  return `\`${p.file}\`${p.line ? `, line ${p.line}` : ""}: ${p.message}`;
}

/**
 * Runs the commands of one comment, in order, and acknowledges them: 👀 on receipt, then 🚀 when every command
 * succeeded or 😕 with one reply quoting each failed command and why. The entry point a queue calls for an issue.
 */
export async function runCommandJob(job: CommandJob, env: CommandRunnerNeeds): Promise<void> {
  const { gh, deps } = env;
  const configRead = await gh.readConfig();
  let parsed = configRead.kind === "found" ? parseConfig(configRead.value) : undefined;
  if (configRead.kind === "found" && parsed && !parsed.ok)
    parsed = parseConfig(configRead.value, { text: await gh.readConfigText() });
  const config: Config | undefined = parsed?.ok ? parsed.config : undefined;
  if (job.issue.pull_request && !config?.pull_requests) return;
  if (!(await withinCommandLimit(env, job))) return;
  await react(env, job, "eyes");

  const configError =
    configRead.kind === "absent"
      ? `config error: \`${CONFIG_PATH}\` does not exist; add it on the default branch`
      : configRead.kind === "invalid"
        ? `config error: ${located(configRead.problem)}`
        : parsed && !parsed.ok
          ? `config error: ${parsed.problems.map(located).join("; ")}`
          : undefined;
  const marker = readFollowUpMarker(job.issue.body, deps.log);
  const followUp =
    marker && isAppAuthored(job.issue, deps.identity)
      ? { parent: marker.parent, template: marker.template }
      : undefined;
  const mayRun = roleCheck((user) => gh.permissionOf(user), job.author);
  const failures: Failure[] = [];
  const verbs = env.commands.map((c) => c.name);

  const seen = new Set<string>();
  for (const [i, command] of job.commands.entries()) {
    const fail = (reason: string, stranger = false) => failures.push({ command, reason, stranger });
    if (i >= MAX_COMMANDS_PER_COMMENT) {
      fail(`not run: at most ${MAX_COMMANDS_PER_COMMENT} commands of one comment run`);
      continue;
    }
    if (seen.size === seen.add(`${command.verb} ${command.args}`).size) {
      fail("not run: it is already in this comment, and a command runs once per comment");
      continue;
    }
    const found = env.commands.find((c) => c.name === command.verb);
    if (!found) {
      const guess = suggestVerb(command.verb, verbs);
      fail(
        command.verb
          ? `unknown command \`${escapeMarkdown(command.verb, 40)}\`: ` +
              (guess ? `did you mean \`/triage ${guess}\`?` : "write `/triage help` for the list")
          : "no command given: write `/triage help` for the list",
      );
      continue;
    }
    if (!config && found.name !== "help") {
      fail(configError ?? "config error");
      continue;
    }
    if (found.on === "parent" && followUp) {
      fail(`\`/triage ${found.name}\` works on the triaged issue, not on a follow-up: use it on #${followUp.parent}`);
      continue;
    }
    if (found.on === "follow-up" && !followUp) {
      fail(`\`/triage ${found.name}\` works only on a follow-up issue that config-triage opened`);
      continue;
    }
    const minimum = config?.roles[found.name] ?? found.minRole;
    const verdict = await mayRun(minimum);
    if (!verdict.allowed) {
      const { role } = verdict;
      if (!role.ok) {
        fail(`could not determine the role of \`${job.author}\` (${role.reason}), so the command was refused`);
        continue;
      }
      const has = role.role === "none" ? "no role" : `\`${role.role}\``;
      fail(
        `\`/triage ${found.name}\` needs the \`${minimum}\` role or higher; ` +
          `\`${job.author}\` has ${has} on this repository`,
        // Someone who cannot even triage (on a public repository everyone reads) is answered once per issue.
        role.role === "none" || role.role === "read",
      );
      continue;
    }
    const ctx: CommandContext<CommandPorts, ReviewGitHub> = {
      gh,
      ghFor: env.ghFor,
      issue: job.issue,
      followUp,
      args: command.args,
      author: job.author,
      config,
      configRead,
      deps,
      commands: env.commands,
    };
    try {
      const result = await found.run(ctx);
      if (!result.ok) fail(result.reason);
      else if (result.reply) await gh.createComment(result.reply);
    } catch (error) {
      deps.log.warn(
        {
          issue: job.issue.number,
          command: found.name,
          err: String(error),
          status: (error as { status?: number }).status,
        },
        "command failed",
      );
      fail("an internal error occurred; it has been logged");
    }
  }

  await react(env, job, failures.length ? "confused" : "rocket");
  // Someone with no role beyond read is told once per issue why a command was refused; after that the 😕 says it.
  let shown = failures;
  let once = "";
  if (failures.some((f) => f.stranger)) {
    const key = { notice: "command-role", user: job.author.toLowerCase() };
    if (await alreadySaid(gh, deps.identity, key)) shown = failures.filter((f) => !f.stranger);
    else once = `${noticeMarker(key)}\n`;
  }
  // Anything beyond the first few failures (a comment of many lines) is counted, not quoted.
  const quoted = shown.slice(0, MAX_COMMANDS_PER_COMMENT + 1);
  if (quoted.length) {
    const quotes = quoted.map((f) => `> ${escapeMarkdown(f.command.raw, 200)}\n\n😕 ${f.reason}`);
    if (shown.length > quoted.length) quotes.push(`😕 ${shown.length - quoted.length} more commands were not run.`);
    await gh.createComment(once + quotes.join("\n\n---\n\n"));
  }
}

/** Reactions are a courtesy: one GitHub refuses must not stop the commands or hide the reply. */
async function react(env: CommandRunnerNeeds, job: CommandJob, content: Reaction): Promise<void> {
  try {
    await env.gh.react(job.commentId, content);
  } catch (error) {
    env.deps.log.warn(
      { issue: job.issue.number, content, status: (error as { status?: number }).status },
      "could not react to a command",
    );
  }
}

/** `/triage <verb>` in issue comments: see `commands/index.ts` for the list. */
export function createSlashCommands(commands: Command<CommandPorts, ReviewGitHub>[] = registered): Feature {
  return {
    name: "commands",
    help:
      "Maintainers drive the app from issue comments: `/triage <command>` at the start of a line (`/triage help` " +
      "lists them).",
    register(app, deps) {
      const handle = async (context: Context<"issue_comment.created" | "issue_comment.edited">) => {
        const { comment, issue, sender } = context.payload;
        // Bots never drive the app, the app itself above all (its replies quote commands).
        if (!sender || sender.type === "Bot") return;
        if (comment.user?.type === "Bot" || isAppAuthored(comment, deps.identity)) return;
        // The role that counts is the sender's: whoever wrote this version of the comment. Someone may edit another
        // person's comment (write access allows it); such an edit runs nothing, so no one acts with another's role.
        if (context.payload.action === "edited" && sender.login !== comment.user?.login) {
          context.log.info(
            { issue: issue.number, sender: sender.login, author: comment.user?.login },
            "commands ignored: the comment was edited by someone other than its author",
          );
          return;
        }
        const previous = (context.payload as { changes?: { body?: { from?: string } } }).changes?.body?.from;
        // An edit that does not say what the body was cannot tell new commands from old ones: run nothing.
        if (context.payload.action === "edited" && typeof previous !== "string") return;
        const parsed =
          context.payload.action === "edited" ? addedCommands(previous, comment.body) : parseCommands(comment.body);
        if (!parsed.length) return;
        const gh = deps.gitHubFor(context as Context<"issue_comment">, issue.number);
        const job: CommandJob = {
          issue: { ...issue } as CommandJob["issue"],
          commentId: comment.id,
          author: sender.login,
          commands: parsed,
        };
        const env: CommandRunnerNeeds = {
          gh,
          ghFor: (n) => deps.gitHubFor(context as Context<"issue_comment">, n),
          deps: { ...deps, log: context.log, watch: issueWatchOf(context as Context<"issue_comment">, deps) },
          commands,
        };
        // One comment's commands at a time per issue: the event queue runs one issue's events in order.
        await runCommandJob(job, env);
      };
      app.on(["issue_comment.created", "issue_comment.edited"], handle);
    },
  };
}

export const slashCommands = createSlashCommands();
