import { CONFIG_PATH } from "../domain/config/schema.js";
import { code, escapeMarkdown } from "./escape-markdown.js";

function clock(at: number): string {
  return new Date(at).toISOString().slice(11, 16);
}

/** The reply when an issue had its `max_triages_per_hour`: what limit, when it resets, how to change it. */
export function renderRateLimitNotice(o: { number: number; limit: number; resetInMs: number; now: number }): string {
  const minutes = Math.max(1, Math.ceil(o.resetInMs / 60_000));
  return [
    `⏳ **config-triage did not run this triage**: #${o.number} has already been triaged ${o.limit} time(s) this ` +
      `hour, the limit set by ${code("max_triages_per_hour")} (${o.limit}) in ${code(CONFIG_PATH)}.`,
    "",
    `The limit resets at ${clock(o.now + o.resetInMs)} UTC (in ${minutes} min); triggers on this issue until then ` +
      `are not run. To allow more, raise ${code("max_triages_per_hour")}.`,
  ].join("\n");
}

/** The section of the diagnosis comment when a triage needed more follow-ups than `max_follow_ups`. */
export function renderFollowUpCapSection(o: { wanted: number; limit: number }): string {
  return [
    "#### Follow-up limit reached",
    `This triage needed ${o.wanted} new follow-up issues; ${code("max_follow_ups")} in ${code(CONFIG_PATH)} allows ` +
      `${o.limit} per triage, so the first ${o.limit} were opened and ${o.wanted - o.limit} were not.`,
    `The next triage (\`/triage recheck\`, or the trigger label again) opens the rest; raise ` +
      `${code("max_follow_ups")} to open more at once.`,
  ].join("\n");
}

/** The note left (once) on an issue whose trigger label was added by someone below `label_role`. */
export function renderLabelRefusedNotice(o: {
  label: string;
  sender: string;
  minimum: string;
  reason?: string;
}): string {
  // Escaped with its @, so the name reads but pings no one.
  const who = escapeMarkdown(`@${o.sender}`, 64);
  const why = o.reason
    ? `the role of ${who} could not be determined (${o.reason})`
    : `${who} does not have the ${code(o.minimum)} role or higher on this repository`;
  return [
    `🔒 **config-triage did not run**: the ${code(o.label)} label was added by ${who}, and ${why}. Issue forms add ` +
      `labels for whoever opens an issue, so a label only starts a triage when someone with the ${code(o.minimum)} ` +
      `role adds it.`,
    "",
    `Someone with that role can remove and add the label again, or comment \`/triage recheck\`. The role is set by ` +
      `${code("label_role")} in ${code(CONFIG_PATH)}.`,
  ].join("\n");
}

/** How many of the left-out names the section lists (the count says how many more). */
const LISTED_LEFT_OUT = 20;

/** The section of the diagnosis comment when the issue names more variables than the app takes from text. */
export function renderLeftOutVariablesSection(o: {
  leftOut: string[];
  taken: number;
  max: number;
  maxName: number;
}): string {
  const listed = o.leftOut.slice(0, LISTED_LEFT_OUT).map((v) => code(v.length > 60 ? `${v.slice(0, 59)}…` : v));
  const more = o.leftOut.length - listed.length;
  return [
    "#### Variables not checked",
    `The issue names ${o.taken + o.leftOut.length} variables in backticks that no configured check covers; ` +
      `config-triage checks at most ${o.max} of them from an issue's text (names of at most ${o.maxName} ` +
      `characters), so it checked the first ${o.taken} and left out ${o.leftOut.length}: ` +
      `${listed.join(", ")}${more > 0 ? ` and ${more} more` : ""}.`,
    `To check one of them, add it to ${code("checks:")} in ${code(CONFIG_PATH)}.`,
  ].join("\n");
}

/** The one reply to someone whose `/triage` comments on an issue passed the hourly cap; later ones get none. */
export function renderCommandLimitNotice(o: {
  author: string;
  number: number;
  limit: number;
  resetInMs: number;
  now: number;
}): string {
  const who = escapeMarkdown(`@${o.author}`, 64);
  const minutes = Math.max(1, Math.ceil(o.resetInMs / 60_000));
  return [
    `⏳ **config-triage did not run this comment's commands**: ${who} has already written ${o.limit} comments with ` +
      `\`/triage\` commands on #${o.number} this hour, the most config-triage answers from one person on one issue.`,
    "",
    `Until ${clock(o.now + o.resetInMs)} UTC (in ${minutes} min) further commands from ${who} on this issue ` +
      "are ignored, without a reply.",
  ].join("\n");
}
