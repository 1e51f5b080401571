/**
 * What the operator configures, end to end on the real server: `/metrics` behind METRICS_TOKEN with a label set that
 * does not grow with the repositories and issues triaged (and names none of them), and the GCP projects each
 * installation may check (CONFIG_TRIAGE_ALLOWED_PROJECTS): a project not allowed is refused before any Cloud Run read.
 */
import { waitFor, waitForQuiet, type AppProcess } from "../../dev/app-server.js";
import { useE2E } from "../support/e2e-harness.js";
import { scenarioConfigYaml } from "../../dev/scenario.js";

const TOKEN = "e2e-metrics-token";
const e2e = useE2E({ appId: 53 });
let app: AppProcess;

/** Only staging, which the deployment allows, and no follow-ups: one comment per triage, little GitHub pacing. */
const STAGING_ONLY = scenarioConfigYaml
  .replace(/ {2}production:\n(?: {4}.*\n)+/, "")
  .replace(/ {2}- variable: JWT_SECRET_PRODUCTION\n(?: {4}.*\n)+/, "")
  .replace(/follow_ups:\n(?: {2}- .*\n)+/, "follow_ups: []\n");

beforeAll(async () => {
  // REST: its paginated reads (comments, sub-issues) go out at expanded URLs, where the repository names used to leak.
  app = await e2e.start({
    CONFIG_TRIAGE_GITHUB_API: "rest",
    METRICS_TOKEN: TOKEN,
    CONFIG_TRIAGE_ALLOWED_PROJECTS: "netra-systems=netra-staging",
  });
});

const scrape = async () =>
  (await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
const githubSeries = (text: string) =>
  text.split("\n").filter((l) => l.startsWith("config_triage_github_requests_total{"));

async function triage(repo: string, config = STAGING_ONLY) {
  e2e.addRepo(repo, config);
  expect(await app.deliver("issues", e2e.labeled(repo))).toBe(202);
  const comment = await waitFor(`the comment on ${repo}`, () => e2e.appComments(repo)[0]);
  await waitForQuiet(() => e2e.github.requests.length, 1_000);
  return comment;
}

it("/metrics needs the bearer token, and its series stay the same however many repositories are triaged", async () => {
  expect((await fetch(`${app.url}/metrics`)).status).toBe(401);
  await triage("payments-api");
  await triage("ledger-service");
  const before = githubSeries(await scrape()).map((l) => l.replace(/ \d+$/, ""));
  for (const repo of ["checkout-web", "fraud-model", "search-indexer"]) await triage(repo);
  const text = await scrape();
  expect(githubSeries(text).map((l) => l.replace(/ \d+$/, ""))).toEqual(before);
  expect(text).not.toMatch(/payments-api|ledger-service|checkout-web|fraud-model|search-indexer|netra-systems/);
}, 120_000);

it("a project the deployment does not allow is refused, naming the setting, with no Cloud Run read", async () => {
  const calls = e2e.cloudRun.calls.length;
  const comment = await triage("uses-production", scenarioConfigYaml);
  expect(comment.body).toContain(
    "has not allowed `netra-systems/uses-production` to check GCP project `netra-production`",
  );
  expect(comment.body).toContain("`CONFIG_TRIAGE_ALLOWED_PROJECTS`");
  expect(e2e.cloudRun.calls.length).toBe(calls);
  expect(e2e.followUps("uses-production")).toEqual([]);
}, 60_000);
