import type { Config } from "../../domain/config/schema.js";
import type { Command, CommandHelp } from "./command.js";

function who(role: string): string {
  return role === "anyone" ? "anyone" : `\`${role}\` role or higher`;
}

/** The commands table, generated from the registration list (docs/commands.md shows the same table). */
export function renderHelpTable(commands: CommandHelp[], roles: Config["roles"] = {}): string {
  return [
    "| Command | What it does | Who may use it | Example |",
    "|---|---|---|---|",
    ...commands.map(
      (c) =>
        `| \`${c.usage}\` | ${c.help} | ${who(roles[c.name] ?? c.minRole)} | ` +
        `${c.examples.map((e) => `\`${e}\``).join(", ")} |`,
    ),
  ].join("\n");
}

export const help: Command = {
  name: "help",
  usage: "/triage help",
  help: "Lists the commands, what each does and who may use it.",
  minRole: "anyone",
  on: "any",
  examples: ["/triage help"],
  async run(ctx) {
    const roles = ctx.config?.roles;
    return {
      ok: true,
      reply: [
        "### config-triage commands",
        "Write a command at the start of a line of a comment; several commands in one comment run in order.",
        renderHelpTable(ctx.commands, roles ?? {}),
      ].join("\n\n"),
    };
  },
};
