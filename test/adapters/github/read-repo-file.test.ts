/**
 * `readRepoFile` of the REST `IssueGitHub` (a snapshot file named in the config): the file's text from the default
 * branch and the date of its last commit, through Octokit, with nock standing in for GitHub.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { Context, ProbotOctokit } from "probot";
import { issueGitHubFromContext } from "../../../src/adapters/github/issue-github.js";
import { labeledPayload } from "../../../dev/webhook-payloads.js";

const API = "https://api.github.com";
const REPO = "/repos/acme/shop";
const FILE = "ops/cloud-run/production.yaml";
const TEXT = "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: api\n";

function github() {
  const octokit = new ProbotOctokit({
    auth: { token: "ghs_test" },
    retry: { enabled: false },
    throttle: { enabled: false },
  });
  const payload = labeledPayload({
    owner: "acme",
    repo: "shop",
    number: 7,
    title: "t",
    body: "b",
    label: "triage:config",
  });
  const log = {
    info() {},
    warn() {},
    error() {},
    debug() {},
    trace() {},
    fatal() {},
    child() {
      return log;
    },
  };
  const context = new Context({ id: "1", name: "issues", payload: payload as any }, octokit as any, log as any);
  return issueGitHubFromContext(context as any);
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

describe("readRepoFile", () => {
  it.each([
    ["text/plain; charset=utf-8", "what github.com sends"],
    ["application/vnd.github.raw", "which Octokit hands over as an ArrayBuffer"],
  ])(
    "returns the raw text (content type %s, %s) and the committer date of the file's last commit",
    async (contentType) => {
      nock(API)
        .get(`${REPO}/contents/${encodeURIComponent(FILE)}`)
        .matchHeader("accept", /application\/vnd\.github\.v3\.raw/)
        .reply(200, TEXT, { "content-type": contentType })
        .get(`${REPO}/commits`)
        .query({ path: FILE, per_page: "1" })
        .reply(200, [
          {
            sha: "abc",
            commit: { author: { date: "2025-02-19T08:00:00Z" }, committer: { date: "2025-02-20T10:00:00Z" } },
          },
        ]);
      expect(await github().readRepoFile(FILE)).toEqual({ text: TEXT, updatedAt: "2025-02-20T10:00:00Z" });
    },
  );

  it("leaves the date unknown when GitHub lists no commit for the path", async () => {
    nock(API)
      .get(`${REPO}/contents/${encodeURIComponent(FILE)}`)
      .reply(200, TEXT)
      .get(`${REPO}/commits`)
      .query(true)
      .reply(200, []);
    expect(await github().readRepoFile(FILE)).toEqual({ text: TEXT, updatedAt: undefined });
  });

  it("returns undefined for a file that does not exist, without asking for its commits", async () => {
    nock(API)
      .get(`${REPO}/contents/${encodeURIComponent(FILE)}`)
      .reply(404, { message: "Not Found" });
    expect(await github().readRepoFile(FILE)).toBeUndefined();
  });

  it("lets any other error through (the run reports an internal error, not a missing file)", async () => {
    nock(API)
      .get(`${REPO}/contents/${encodeURIComponent(FILE)}`)
      .reply(500, { message: "Server Error" });
    await expect(github().readRepoFile(FILE)).rejects.toMatchObject({ status: 500 });
  });
});
