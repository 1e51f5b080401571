import type { Config, COMMAND_NAMES } from "../../domain/config/schema.js";
import type { MinimumRole } from "../../domain/roles/resolve-role.js";
import type { ConfigRead } from "../ports/issue-github.js";
import type { TriageNeeds } from "../triage/run-triage.js";
import type { GhIssue } from "../ports/issue-github.js";

export type CommandName = (typeof COMMAND_NAMES)[number];

/** The issue a command was written on, as the webhook payload gives it. */
export interface CommandIssue extends GhIssue {
  html_url: string;
  labels?: Array<{ name?: string } | string>;
}

/**
 * One command's invocation: its issue, its arguments and author, the config, with what it may use. `G` is the
 * command's port: the few GitHub calls it makes on the issue it was written on, declared next to the command (Prow's
 * plugins do the same), so a test hands it a small fake; `P` what it asks of another issue of the repository (a
 * follow-up's parent: `ReviewGitHub`).
 */
export interface CommandContext<G = unknown, P = unknown> {
  gh: G;
  /** GitHub for another issue of the repository (the parent of a follow-up, where a review is recorded). */
  ghFor(number: number): P;
  issue: CommandIssue;
  /** Set when the issue is a follow-up the app opened (from its marker, trusted only in the app's own text). */
  followUp?: { parent: number; template: string };
  args: string;
  author: string;
  /** The validated config; the runner refuses every command but `help` when there is none. */
  config?: Config;
  configRead: ConfigRead;
  deps: TriageNeeds;
  /** Every registered command (for help). */
  commands: CommandHelp[];
}

/** A command as help lists it: everything but how it runs. */
export type CommandHelp = Omit<Command, "run">;

/** `ok` with an optional reply comment; or a failure whose reason is quoted back to the author. */
export type CommandResult = { ok: true; reply?: string } | { ok: false; reason: string };

/**
 * One `/triage` command with its help: the registration list in `index.ts` is the only place commands are wired. `G`
 * is its port (see `CommandContext`).
 */
export interface Command<G = unknown, P = unknown> {
  name: CommandName;
  /** E.g. `/triage apply [plan-id]`. */
  usage: string;
  /** One sentence: what it does. */
  help: string;
  /** The default minimum role; `roles:` in the config overrides it. */
  minRole: MinimumRole;
  /** Where it may be used: the triaged issue, a follow-up the app opened, or either. */
  on: "parent" | "follow-up" | "any";
  examples: string[];
  // A property, not a method, so a command that needs more than the runner gives fails to type-check.
  run: (ctx: CommandContext<G, P>) => Promise<CommandResult>;
}
