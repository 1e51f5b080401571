/**
 * Probot paces GitHub writes per `throttle.id`; for a webhook's `context.octokit` it leaves that at its default, so
 * every installation shared one line. `pacePerInstallation` keys each Octokit by its installation. Checked through
 * `probot.receive`, as the server runs events, with the throttling on (as in production) and a recording fetch.
 */
import { describe, expect, it } from "@jest/globals";
import { Probot, ProbotOctokit } from "probot";
import { pacePerInstallation } from "../../../src/adapters/github/pace-per-installation.js";
import { labeledPayload } from "../../../dev/webhook-payloads.js";
import { APP_ID, privateKey } from "../../support/probot.js";

/** Answers the token minting and the label POSTs; records the installation of each write (from its token). */
function fakeGitHub() {
  const writes: string[] = [];
  const fetch = async (url: string | URL, init?: RequestInit) => {
    const path = new URL(String(url)).pathname;
    const json = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
    const minted = /\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    if (minted) {
      const expires = new Date(Date.now() + 3_600_000).toISOString();
      return json(201, {
        token: `token-${minted[1]}`,
        expires_at: expires,
        permissions: {},
        repository_selection: "all",
      });
    }
    const auth = new Headers(init?.headers).get("authorization") ?? "";
    writes.push(auth.replace(/^token token-/, ""));
    return json(200, [{ id: writes.length, name: "seen" }]);
  };
  return { fetch, writes };
}

/** The throttle key of every Octokit Probot builds for an installation. */
function recordThrottleKeys(keys: Array<{ installation: unknown; key: unknown }>) {
  return (_octokit: unknown, options: { auth?: { installationId?: unknown }; throttle?: { id?: unknown } }) => {
    if (options.auth?.installationId !== undefined)
      keys.push({ installation: options.auth.installationId, key: options.throttle?.id });
  };
}

function probotWith(Octokit: typeof ProbotOctokit, fetch: ReturnType<typeof fakeGitHub>["fetch"]): Probot {
  const probot = new Probot({
    appId: APP_ID,
    privateKey,
    logLevel: "fatal",
    Octokit,
    request: { fetch: fetch as typeof globalThis.fetch },
  });
  void probot.load((app) => {
    app.on("issues.labeled", async (context) => {
      // A write that is paced (1 s apart per key) but creates no content (those are 3 s apart).
      await context.octokit.rest.issues.addLabels(context.issue({ labels: ["seen"] }));
    });
  });
  return probot;
}

const event = (installation: number) => {
  const payload = labeledPayload({
    owner: "o",
    repo: `r${installation}`,
    number: 1,
    title: "t",
    body: "b",
    label: "x",
  });
  payload.installation.id = installation;
  return { id: `delivery-${installation}`, name: "issues" as const, payload: payload as never };
};

describe("pacePerInstallation", () => {
  it("keys each webhook's Octokit by its installation, so installations are paced apart", async () => {
    const keys: Array<{ installation: unknown; key: unknown }> = [];
    const github = fakeGitHub();
    const Octokit = pacePerInstallation(ProbotOctokit.plugin(recordThrottleKeys(keys)));
    const probot = probotWith(Octokit, github.fetch);
    await Promise.all([probot.receive(event(11)), probot.receive(event(12))]);
    expect(github.writes.sort()).toEqual(["11", "12"]);
    expect(keys.sort((a, b) => Number(a.installation) - Number(b.installation))).toEqual([
      { installation: 11, key: "11" },
      { installation: 12, key: "12" },
    ]);
  });

  it("without it, Probot 14 gives every webhook's Octokit the same key (the shared line this fixes)", async () => {
    const keys: Array<{ installation: unknown; key: unknown }> = [];
    const github = fakeGitHub();
    const probot = probotWith(ProbotOctokit.plugin(recordThrottleKeys(keys)), github.fetch);
    await Promise.all([probot.receive(event(11)), probot.receive(event(12))]);
    expect(github.writes.sort()).toEqual(["11", "12"]);
    expect(new Set(keys.map((k) => k.key)).size).toBe(1);
  });

  it("keeps a key already set (probot.auth(id) sets the installation itself)", async () => {
    const keys: Array<{ installation: unknown; key: unknown }> = [];
    const github = fakeGitHub();
    const probot = probotWith(pacePerInstallation(ProbotOctokit.plugin(recordThrottleKeys(keys))), github.fetch);
    const octokit = await probot.auth(13);
    await octokit.rest.issues.addLabels({ owner: "o", repo: "r", issue_number: 1, labels: ["x"] });
    expect(keys).toEqual([{ installation: 13, key: "13" }]);
  });
});
