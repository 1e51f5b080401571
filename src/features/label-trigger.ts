import type { Context } from "probot";
import { ConfigSchema } from "../config/schema.js";
import { issueGitHubFromContext, type ConfigRead } from "../github/issue-github.js";
import { runTriage } from "../triage/run-triage.js";
import type { Feature } from "./feature.js";

const DEFAULT_LABELS = ConfigSchema.shape.labels.parse(undefined);

/** The trigger labels, read leniently: an invalid file still names its labels, so its errors reach the right issue. */
export function triggerLabels(read: ConfigRead): string[] {
  if (read.kind !== "found") return DEFAULT_LABELS;
  const labels = (read.value as { labels?: unknown })?.labels;
  return Array.isArray(labels) && labels.every((l) => typeof l === "string") && labels.length ? labels : DEFAULT_LABELS;
}

export const labelTrigger: Feature = {
  name: "label",
  help: "Add a trigger label (default `triage:config`) to an issue: the app checks the live Cloud Run configuration, comments a diagnosis, opens the follow-up issues and closes the issue when every check passes.",
  register(app, deps) {
    app.on("issues.labeled", async (context: Context<"issues.labeled">) => {
      const label = context.payload.label?.name;
      if (!label) return;
      const gh = issueGitHubFromContext(context);
      const read = await gh.readConfig();
      if (!triggerLabels(read).includes(label)) return;
      const issue = context.payload.issue;
      await runTriage(
        gh,
        { owner: gh.owner, repo: gh.repo, number: issue.number, title: issue.title, body: issue.body ?? null, url: issue.html_url },
        { ...deps, log: context.log },
        read,
      );
    });
  },
};
