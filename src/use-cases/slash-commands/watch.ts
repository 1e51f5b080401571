import { formatDuration } from "../../domain/config/parse-duration.js";
import { DEFAULT_WATCH_MIN_EVERY_MS, watchProblems, watchTiming } from "../../domain/follow-up-plan/decide-watch.js";
import { utcMinute } from "../../domain/follow-up-plan/decide-fix-follow-ups.js";
import type { Command } from "./command.js";

const UNAVAILABLE = "watches are not available here (they need the app's server; the Action and the CLI have none)";

export const watch: Command = {
  name: "watch",
  usage: "/triage watch",
  help:
    "Rechecks the issue on a schedule (`watch:` in the config, default every 30m for 7d) and closes it, with its fix " +
    "follow-up, once every check passes; a recheck that finds nothing new writes nothing.",
  minRole: "triage",
  on: "parent",
  examples: ["/triage watch"],
  async run(ctx) {
    if (!ctx.deps.watch) return { ok: false, reason: UNAVAILABLE };
    if (ctx.issue.state === "closed")
      return { ok: false, reason: "the issue is closed: there is nothing to watch for" };
    const minimum = ctx.deps.watchMinEveryMs ?? DEFAULT_WATCH_MIN_EVERY_MS;
    const [tooOften] = watchProblems(ctx.config!, minimum, ".github/config-triage.yml");
    if (tooOften) return { ok: false, reason: `config error: ${tooOften.message}` };
    const timing = watchTiming(ctx.config!.watch);
    // By hand, a watch begins a new period.
    const started = await ctx.deps.watch.start(timing, { restart: true });
    if (started.kind === "full") {
      const limit = `${started.max} issues, the deployment's \`CONFIG_TRIAGE_MAX_WATCHES\``;
      return { ok: false, reason: `not watched: this installation already watches ${limit}` };
    }
    return {
      ok: true,
      reply:
        `Watching #${ctx.issue.number} (\`${ctx.author}\`, \`/triage watch\`): rechecked every ` +
        `${formatDuration(timing.everyMs)} until ${utcMinute(new Date(started.untilMs).toISOString())}. It closes by ` +
        "itself, with its fix follow-up, once every check passes; `/triage unwatch` stops it.",
    };
  },
};

export const unwatch: Command = {
  name: "unwatch",
  usage: "/triage unwatch",
  help: "Stops the scheduled rechecks of the issue (`/triage watch` or `watch:` started them).",
  minRole: "triage",
  on: "parent",
  examples: ["/triage unwatch"],
  async run(ctx) {
    if (!ctx.deps.watch) return { ok: false, reason: UNAVAILABLE };
    if (!(await ctx.deps.watch.stop(`stopped by ${ctx.author}`)))
      return { ok: false, reason: `#${ctx.issue.number} is not watched` };
    return { ok: true, reply: `Stopped watching #${ctx.issue.number} (\`${ctx.author}\`, \`/triage unwatch\`).` };
  },
};
