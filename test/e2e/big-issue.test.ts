/**
 * End to end (the real server, the GitHub stand-in, the Cloud Run emulator): an issue that names hundreds of
 * variables, and a repository template whose text alone is over GitHub's body limit. The stand-in answers 422 as
 * GitHub does to a body over 65,536 characters or a title over 256, so the triage only finishes if every write fits.
 */
import { readMarker } from "../../src/domain/issue-state/markers.js";
import { waitFor } from "../../dev/app-server.js";
import { OWNER, useE2E } from "../support/e2e-harness.js";
import { labeledPayload } from "../../dev/webhook-payloads.js";
import { scenarioConfigYaml } from "../../dev/scenario.js";

const e2e = useE2E({ appId: 41 });

it("an issue naming 300 variables: 25 checked, the rest named as left out, all within GitHub's limits", async () => {
  const repo = "big";
  const names = Array.from({ length: 300 }, (_, i) => `FEATURE_FLAG_${String(i).padStart(3, "0")}_STAGING`);
  const body = `Staging is broken. These are all unset:\n\n${names.map((n) => `- \`${n}\``).join("\n")}\n`;
  const steps = "Step: check the service's revision.\n".repeat(2_500);
  const runbook = `---\ntitle: "Runbook for {{join variables ', '}}"\n---\n${steps}`;
  const config = scenarioConfigYaml.replace("follow_ups:\n", "follow_ups:\n  - runbook\n");
  e2e.github.addRepo(`${OWNER}/${repo}`, {
    files: { ".github/config-triage.yml": config, ".github/config-triage/runbook.md": runbook },
    collaborators: { "sre-lead": "maintain" },
  });
  e2e.github.addIssue(`${OWNER}/${repo}`, {
    number: 930,
    title: "Feature flags missing on staging",
    body,
    user: { login: "sre-lead", type: "User" },
  });
  const app = await e2e.start();
  const payload = labeledPayload({
    owner: OWNER,
    repo,
    number: 930,
    title: "Feature flags missing on staging",
    body,
    label: "triage:config",
    sender: "sre-lead",
  });
  payload.installation.id = 1;
  expect(await app.deliver("issues", payload)).toBe(202);

  const comment = await waitFor("the diagnosis comment", () => e2e.appComments(repo)[0], 90_000);
  await waitFor("five follow-ups", () => (e2e.followUps(repo).length === 5 ? true : undefined), 90_000);
  expect(comment.body.length).toBeLessThanOrEqual(65_536);
  expect(readMarker<{ problems: string[] }>("diagnosis", comment.body)?.problems.length).toBeGreaterThan(25);
  expect(comment.body).toContain("#### Variables not checked");
  expect(comment.body).toContain("config-triage checks at most 25 of them from an issue's text");
  expect(comment.body).toContain(
    "so it checked the first 25 and left out 275: `FEATURE_FLAG_025_STAGING`, `FEATURE_FLAG_026_STAGING`",
  );
  expect(comment.body).toContain("and 255 more.");
  expect(comment.body).toContain("`FEATURE_FLAG_024_STAGING` is missing on staging / netra-backend");
  expect(comment.body).not.toContain("`FEATURE_FLAG_025_STAGING` is missing");

  for (const f of e2e.followUps(repo)) {
    expect(f.title.length).toBeLessThanOrEqual(256);
    expect(f.body!.length).toBeLessThanOrEqual(65_536);
    expect(readMarker("follow-up", f.body)).toMatchObject({ parent: 930 });
    expect(f.parent).toBe(e2e.parent(repo).id);
  }
  const made = e2e
    .followUps(repo)
    .find((f) => readMarker<{ template: string }>("follow-up", f.body)?.template === "runbook")!;
  expect(made.title).toMatch(/^Runbook for JWT_SECRET_STAGING, JWT_SECRET_PRODUCTION, FEATURE_FLAG_000_STAGING, .*…$/);
  expect(made.body).toContain("This issue's text was cut to fit GitHub's 65,536-character limit");
  expect(made.body).toContain("Follow-up of #930.");
  await app.stop();
}, 120_000);
