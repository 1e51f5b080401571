import type { Context } from "probot";
import type { FeatureWiring } from "./app-wiring.js";
import { roleCheck, type MinimumRole, type PermissionAnswer } from "../domain/roles/resolve-role.js";
import { readLeniently } from "../domain/config/read-leniently.js";
import type { ConfigRead, GhComment } from "./ports/issue-github.js";
import { noticeMarker, type AppIdentity } from "../domain/issue-state/markers.js";
import { renderLabelRefusedNotice } from "../rendering/render-limits.js";
import { runTriage, type TriageGitHub } from "./triage/run-triage.js";
import { markTriageRequest } from "./asked-for-triage.js";
import type { Feature } from "./feature.js";
import { issueWatchOf } from "./issue-watch.js";
import { alreadySaid } from "./say-once.js";

/** The trigger labels, read leniently: an invalid file still names its labels, so its errors reach the right issue. */
export function triggerLabels(read: ConfigRead): string[] {
  return readLeniently(read.kind === "found" ? read.value : undefined).labels;
}

/** The weakest role whose label counts (`label_role`), read leniently like the labels; default `triage`. */
export function labelRole(read: ConfigRead): MinimumRole {
  return readLeniently(read.kind === "found" ? read.value : undefined).labelRole;
}

const REFUSED = { notice: "label-role" };

/** What the trigger label asks of GitHub: the triage's calls, and the sender's role. */
export interface LabelTriggerGitHub extends TriageGitHub {
  /** The collaborator permission answer for `user`; throws with `status` when GitHub refuses. */
  permissionOf(user: string): Promise<PermissionAnswer>;
}

/** Says on the issue, once, that a label was not acted on; the marker in the app's own comment remembers it. */
async function noteOnce(
  gh: { listComments(): Promise<GhComment[]>; createComment(body: string): Promise<unknown> },
  identity: AppIdentity,
  text: string,
): Promise<boolean> {
  if (await alreadySaid(gh, identity, REFUSED)) return false;
  await gh.createComment(`${noticeMarker(REFUSED)}\n${text}`);
  return true;
}

export const labelTrigger: Feature = {
  name: "label",
  help:
    "Add a trigger label (default `triage:config`) to an issue: the app checks the live Cloud Run configuration, " +
    "comments a diagnosis, opens the follow-up issues and closes the issue when every check passes. The label counts " +
    "only when added by someone with the `triage` role or higher (`label_role`); labels added by bots, the app " +
    "included, are ignored.",
  register(app, deps) {
    app.on("issues.labeled", async (context: Context<"issues.labeled">) => {
      const label = context.payload.label?.name;
      if (!label) return;
      const sender = context.payload.sender;
      // Bots never drive the app: above all the app itself, whose follow-ups may carry a trigger label (no loop).
      if (!sender || sender.type === "Bot") return;
      const gh = deps.gitHubFor(context, context.payload.issue.number);
      const read = await gh.readConfig();
      if (!triggerLabels(read).includes(label)) return;
      // From here on a triage was asked for: a failure is reported on the issue (see `shouldReportFailure`).
      await triageOnLabel({ context, gh, read, label, sender: sender.login, deps }).catch((error) => {
        throw markTriageRequest(error);
      });
    });
  },
};

/** The trigger label's run, once the config said the label is a trigger: the sender's role, then the triage. */
async function triageOnLabel(o: {
  context: Context<"issues.labeled">;
  gh: LabelTriggerGitHub;
  read: ConfigRead;
  label: string;
  sender: string;
  deps: FeatureWiring;
}): Promise<void> {
  const { context, gh, read, label, sender, deps } = o;
  const issue = context.payload.issue;
  const minimum = labelRole(read);
  const verdict = await roleCheck((user) => gh.permissionOf(user), sender)(minimum);
  if (!verdict.allowed) {
    const { role } = verdict;
    const text = renderLabelRefusedNotice({ label, sender, minimum, reason: role.ok ? undefined : role.reason });
    const posted = await noteOnce(gh, deps.identity, text);
    context.log.info(
      { issue: issue.number, sender, minimum, role: role.ok ? role.role : role.reason, posted },
      "trigger label ignored: sender below label_role",
    );
    return;
  }
  const outcome = await runTriage(
    gh,
    {
      owner: gh.owner,
      repo: gh.repo,
      number: issue.number,
      title: issue.title,
      body: issue.body ?? null,
      url: issue.html_url,
      state: issue.state,
    },
    { ...deps, log: context.log, watch: issueWatchOf(context, deps) },
    read,
  );
  if (outcome.kind === "limited" && outcome.first) await gh.createComment(outcome.message);
}
