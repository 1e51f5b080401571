import { apply } from "./apply.js";
import { approve, reject } from "./approve.js";
import { close, reopen } from "./close.js";
import type { Command } from "./command.js";
import type { ReviewGitHub } from "./record-review.js";
import type { ApproveGitHub, RejectGitHub } from "./approve.js";
import type { CloseGitHub, ReopenGitHub } from "./close.js";
import type { TriageGitHub } from "../triage/run-triage.js";
import { help } from "./help.js";
import { plan } from "./plan.js";
import { recheck } from "./recheck.js";
import { unwatch, watch } from "./watch.js";

/** The ports of every registered command together: what the runner must hand them (the adapter, or the fake). */
export type CommandPorts = TriageGitHub & CloseGitHub & ReopenGitHub & ApproveGitHub & RejectGitHub;

/**
 * Every `/triage` command, in the order help lists them. This list is the only place commands are wired: the parser's
 * verbs, the role defaults, `/triage help` and the table in docs/commands.md (`npm run docs`) all come from it (a test
 * checks each has help and a test).
 */
export const commands: Command<CommandPorts, ReviewGitHub>[] = [
  help,
  recheck,
  plan,
  apply,
  close,
  reopen,
  approve,
  reject,
  watch,
  unwatch,
];
