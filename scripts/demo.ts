/**
 * `npm run demo`: the whole triage of the canonical scenario (issue #930), locally and for real.
 *
 * It starts the app's real server (`src/entry/server/main.ts`, as `npm start` does) in a child process, a GitHub
 * stand-in on loopback that keeps issues in memory and checks every request against GitHub's OpenAPI description, and a
 * local Cloud Run gRPC server built from the protos `@google-cloud/run` ships, and a Secret Manager one (from the
 * protos `@google-cloud/secret-manager` ships) holding the secrets the fix names, so the fix is verified. Then it sends
 * a signed `issues.labeled` webhook and prints what the app wrote. The repository's config watches the issue
 * (`watch:`, every 2 seconds here so the demo is short): the demo sets the secret in the Cloud Run emulator, and the
 * next scheduled recheck closes the fix follow-up and the issue, with nobody commenting or labelling again.
 * No GitHub App and no Google account are needed.
 *
 * It also writes an HTML page of the issue, the diagnosis comment (as first posted and after the fix) and the follow-up
 * issues, rendered as GitHub renders them (`scripts/render-demo-page.ts`), and prints its path: `DEMO_PAGE` if set,
 * else `config-triage-demo/issue-930.html` in the system's temporary folder.
 */
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCloudRunEmulator } from "../dev/cloud-run-emulator.js";
import { projectNumberFor } from "../dev/cloud-run-fixtures.js";
import { startSecretManagerEmulator } from "../dev/secret-manager-emulator.js";
import { startGitHubStandIn, type GitHubStandIn } from "../dev/github-standin.js";
import { labeledPayload, withStandInIds } from "../dev/webhook-payloads.js";
import { appEnv, startApp, waitFor, type AppProcess } from "../dev/app-server.js";
import { SCENARIO_REPO, scenarioConfigYaml, scenarioIssue, scenarioServices } from "../dev/scenario.js";
import { addScenarioMilestones } from "../dev/scenario-structure.js";
import { formatMarkdownForTerminal } from "./format-markdown-for-terminal.js";
import { type DemoPageComment, type DemoPageIssue, writeDemoPage } from "./render-demo-page.js";

const APP_ID = 1;
const SECRET = `demo-${randomUUID()}`;
/** The scenario's config, watched: rechecked every 2 seconds for a day (a real repository would say `every: 30m`). */
const WATCHED_CONFIG = `${scenarioConfigYaml}watch:\n  every: 2s\n  for: 1d\n`;
const FULL = `${SCENARIO_REPO.owner}/${SCENARIO_REPO.repo}`;

function rule(title: string) {
  console.log(`\n${"═".repeat(100)}\n  ${title}\n${"═".repeat(100)}`);
}

function deliver(app: AppProcess, github: GitHubStandIn, label: string): Promise<number> {
  // The stand-in's ids are github.com's sizes today (issue and comment ids past 3.5 billion): the payload carries them.
  const payload = withStandInIds(
    labeledPayload({ ...SCENARIO_REPO, ...scenarioIssue, label, sender: "sre-lead" }),
    github.repo(FULL)!,
    github.issue(FULL, scenarioIssue.number),
  );
  payload.installation.id = 1;
  return app.deliver("issues", payload);
}

function printFollowUps(github: GitHubStandIn) {
  const parent = github.issue(FULL, scenarioIssue.number)!;
  const repo = github.repo(FULL)!;
  const children = github.issues(FULL).filter((i) => i.parent === parent.id);
  for (const child of children) {
    const blockers = (child.blocked_by ?? []).map((id) => `#${children.find((c) => c.id === id)?.number ?? id}`);
    const milestone = repo.milestones.find((m) => m.number === child.milestone);
    console.log(`\n#${child.number}  ${child.title}`);
    console.log(`    labels: ${child.labels.join(", ")}   sub-issue of #${parent.number}   by ${child.user.login}`);
    console.log(
      `    type: ${child.type ?? "—"}   ` +
        `milestone: ${milestone ? `${milestone.title} (due ${milestone.due_on?.slice(0, 10)})` : "—"}   ` +
        `blocked by: ${blockers.join(", ") || "—"}`,
    );
    const text = formatMarkdownForTerminal(child.body ?? "")
      .split("\n")
      .filter((l) => l.trim());
    for (const line of text.slice(0, 6)) console.log(`    │ ${line}`);
    if (text.length > 6) console.log(`    │ … (${text.length - 6} more lines)`);
  }
}

/** An issue of the stand-in as the demo's page shows it; `comments` replaces its comments when given. */
function pageIssue(github: GitHubStandIn, number: number, comments?: DemoPageComment[]): DemoPageIssue {
  const issue = github.issue(FULL, number)!;
  const repo = github.repo(FULL)!;
  const byId = (id: number) => github.issues(FULL).find((i) => i.id === id)?.number;
  return {
    number,
    title: issue.title,
    state: issue.state,
    stateReason: issue.state_reason,
    author: issue.user.login,
    labels: issue.labels,
    body: issue.body ?? "",
    type: issue.type,
    milestone: repo.milestones.find((m) => m.number === issue.milestone)?.title,
    blockedBy: (issue.blocked_by ?? []).map((id) => byId(id) ?? id),
    parent: issue.parent === null ? null : byId(issue.parent),
    comments: comments ?? issue.comments.map((c) => ({ author: c.user.login, body: c.body })),
  };
}

async function main() {
  const cloudRun = await startCloudRunEmulator(scenarioServices());
  // The secrets exist, are enabled, and each project's runtime account (the default compute one) may read them.
  const secretManager = await startSecretManagerEmulator();
  for (const [project, secret] of [
    ["netra-staging", "jwt-secret-staging"],
    ["netra-production", "jwt-secret-production"],
  ]) {
    const member = `serviceAccount:${projectNumberFor(project)}-compute@developer.gserviceaccount.com`;
    secretManager.setSecret({
      project,
      name: secret,
      versions: ["ENABLED", "ENABLED", "ENABLED"],
      bindings: [{ role: "roles/secretmanager.secretAccessor", members: [member] }],
    });
  }
  const github = await startGitHubStandIn({ appId: APP_ID });
  // An organisation's repository with GitHub's default issue types and two sprints planned as milestones.
  github.addRepo(FULL, {
    files: { ".github/config-triage.yml": WATCHED_CONFIG },
    collaborators: { "sre-lead": "maintain" },
    issueTypes: ["Task", "Bug", "Feature"],
  });
  addScenarioMilestones(github, FULL);
  const issue = github.addIssue(FULL, {
    number: scenarioIssue.number,
    title: scenarioIssue.title,
    body: scenarioIssue.body,
    user: { login: "sre-lead", type: "User" },
  });
  // sre-lead adds the label (the webhook below says so).
  issue.labels.push("triage:config");
  // The TypeScript source through tsx: the demo needs no build step. The tests run the built server (npm start).
  const app = await startApp({
    mode: "tsx",
    env: appEnv(
      { appId: APP_ID, githubHost: github.host, cloudRunAddress: cloudRun.address, secret: SECRET },
      // A short schedule for the demo: a deployment's floor is 5 minutes unless its operator lowers it.
      { SECRET_MANAGER_EMULATOR_HOST: secretManager.address, CONFIG_TRIAGE_WATCH_MIN_EVERY: "1s" },
    ),
  });
  let exitCode = 0;
  try {
    rule(`1. ${FULL}#930 "${scenarioIssue.title}" is labelled triage:config (JWT_SECRET_STAGING missing on staging)`);
    const started = Date.now();
    const status = await deliver(app, github, "triage:config");
    const parent = () => github.issue(FULL, scenarioIssue.number)!;
    const comment = await waitFor("the diagnosis comment", () =>
      parent().comments.find((c) => c.body.includes("config-triage:diagnosis")),
    );
    console.log(
      `webhook answered ${status}; triage finished in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
        `(Probot's GitHub write pacing included)\n`,
    );
    const firstComment = { author: comment.user.login, body: comment.body, caption: "commented (as first posted)" };
    console.log(formatMarkdownForTerminal(comment.body));
    rule("The follow-up issues it opened");
    printFollowUps(github);

    rule("2. The secret is set on staging (a new revision serves it); nobody comments or labels");
    const rechecks = () =>
      github.requests.filter((r) => r.method === "GET" && r.path === `/repos/${FULL}/issues/${scenarioIssue.number}`);
    const idle = rechecks().length;
    await waitFor("an idle recheck", () => (rechecks().length > idle ? true : undefined));
    for (const s of scenarioServices({ fixed: true }).services) cloudRun.setService(s);
    const fixedAt = Date.now();
    await waitFor("the scheduled recheck to close the issue", () => (parent().state === "closed" ? true : undefined));
    const after = ((Date.now() - fixedAt) / 1000).toFixed(1);
    console.log(`a scheduled recheck (\`watch:\`, every 2 s here) closed it ${after} s after the fix\n`);
    const fix = github.issues(FULL).find((i) => i.parent === parent().id && i.title.startsWith("Fix configuration"))!;
    console.log(`#${fix.number} ${fix.title}: ${fix.state} (${fix.state_reason}), with one comment:`);
    for (const c of fix.comments) console.log(`    │ ${c.body}`);
    console.log("");
    const updated = parent().comments.find((c) => c.body.includes("config-triage:diagnosis"))!;
    console.log(
      `#930 (id ${parent().id}, ${parent().node_id}) is ${parent().state} (${parent().state_reason}); ` +
        `the same comment (id ${updated.id}) now reads:\n`,
    );
    console.log(formatMarkdownForTerminal(updated.body));
    const children = github.issues(FULL).filter((i) => i.parent === parent().id).length;
    rule("Summary");
    console.log(
      `follow-ups: ${children} (none new on the rechecks); comments on #930: ${parent().comments.length} (the app's)`,
    );
    console.log(
      `GitHub requests: ${github.requests.length}; ` +
        `requests GitHub's OpenAPI description would reject: ${github.violations.length}`,
    );
    const methods = secretManager.calls.map((c) => c.method);
    console.log(
      `Secret Manager calls (metadata only): ${methods.length} ` +
        `(${[...new Set(methods)].map((m) => `${methods.filter((x) => x === m).length} ${m}`).join(", ")})`,
    );
    const page = await writeDemoPage(
      {
        repo: FULL,
        issue: {
          ...pageIssue(github, scenarioIssue.number, [
            firstComment,
            { author: updated.user.login, body: updated.body, caption: "edited the same comment after the fix" },
          ]),
          foldBody: true,
        },
        followUps: github
          .issues(FULL)
          .filter((i) => i.parent === parent().id)
          .map((i) => pageIssue(github, i.number)),
      },
      process.env.DEMO_PAGE || join(tmpdir(), "config-triage-demo", "issue-930.html"),
    );
    console.log(`\nThe issue, the comment and the follow-ups as GitHub shows them: ${page}`);
    for (const v of github.violations) console.log(`  violation: ${v}`);
    if (github.violations.length) exitCode = 1;
  } catch (error) {
    console.error(String(error));
    console.error(app.logs.join(""));
    exitCode = 1;
  } finally {
    await app.stop();
    await github.close();
    await cloudRun.close();
    await secretManager.close();
  }
  process.exit(exitCode);
}

void main();
