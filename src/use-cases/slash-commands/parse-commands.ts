import { closest, distance } from "fastest-levenshtein";

/** One `/triage <verb> [args]` line found in a comment. */
export interface ParsedCommand {
  /** Lower-cased; empty when the line is `/triage` alone. */
  verb: string;
  /** The rest of the line, trimmed, inner spacing collapsed (e.g. a plan id or a rejection reason). */
  args: string;
  /** The line as written (trimmed), for quoting in replies. */
  raw: string;
}

const COMMAND = /^ {0,3}\/triage(?:[ \t]+(\S+)(?:[ \t]+(.*))?)?[ \t]*$/i;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * The commands in a comment, in order: `/triage <verb>` at the start of a line (up to three spaces in, as Markdown
 * allows). Lines inside fenced or indented code blocks, `>` quotes and HTML comments are not commands: people quote and
 * paste commands when they talk about them.
 */
export function parseCommands(body: string | null | undefined): ParsedCommand[] {
  if (!body) return [];
  // HTML comments can span lines; an unterminated one hides the rest, as GitHub renders it.
  const text = body.replace(/\r\n?/g, "\n").replace(/<!--[\s\S]*?(-->|$)/g, "");
  const commands: ParsedCommand[] = [];
  let fence: string | undefined;
  let previousBlank = true;
  let inIndented = false;
  for (const line of text.split("\n")) {
    const blank = line.trim() === "";
    if (fence) {
      const close = line.match(FENCE);
      if (close && close[1][0] === fence[0] && close[1].length >= fence.length && line.trim() === close[1]) {
        fence = undefined;
      }
      previousBlank = blank;
      continue;
    }
    const open = line.match(FENCE);
    if (open) {
      fence = open[1];
      previousBlank = false;
      continue;
    }
    // An indented code block starts after a blank line and runs while lines stay indented (or blank).
    const indented = /^( {4}|\t)/.test(line);
    inIndented = indented && (previousBlank || inIndented) ? true : blank ? inIndented : false;
    previousBlank = blank;
    if (inIndented && indented) continue;
    // A `>` quote never matches: the command must open the line (after at most three spaces).
    const m = line.match(COMMAND);
    if (!m) continue;
    commands.push({
      verb: (m[1] ?? "").toLowerCase(),
      args: (m[2] ?? "").trim().replace(/\s+/g, " "),
      raw: line.trim(),
    });
  }
  return commands;
}

/**
 * The commands an edit added: those in the new body beyond the ones the old body already had (counted, so a command
 * written a second time counts as added). Editing a comment never re-runs what it already asked for.
 */
export function addedCommands(before: string | null | undefined, after: string | null | undefined): ParsedCommand[] {
  const seen = new Map<string, number>();
  for (const c of parseCommands(before)) seen.set(keyOf(c), (seen.get(keyOf(c)) ?? 0) + 1);
  return parseCommands(after).filter((c) => {
    const n = seen.get(keyOf(c)) ?? 0;
    if (n > 0) {
      seen.set(keyOf(c), n - 1);
      return false;
    }
    return true;
  });
}

function keyOf(c: ParsedCommand): string {
  return `${c.verb} ${c.args}`;
}

/** "did you mean" for an unknown verb, or undefined when nothing is close. */
export function suggestVerb(verb: string, verbs: string[]): string | undefined {
  if (!verb || !verbs.length) return undefined;
  const best = closest(verb, verbs);
  return distance(verb, best) <= Math.max(2, Math.floor(verb.length / 3)) ? best : undefined;
}
