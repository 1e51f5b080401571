/**
 * The one config source, on every path that reads the config: the app over REST and over GraphQL, the read-only
 * client of the CLI's `plan` and the Action, the Action's `config-path`, and the CLI's `validate` and `check`. Each
 * follows `_extends` to the same merged config (the pull-request check: test/features/config-check.test.ts).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Octokit } from "@octokit/rest";
import nock from "nock";
import { Context, ProbotOctokit } from "probot";
import { runCli } from "../../src/entry/cli/run-cli.js";
import { parseConfig } from "../../src/domain/config/parse-config.js";
import { resetGraphqlFallbacks } from "../../src/adapters/github/fall-back-to-rest.js";
import { graphqlIssueGitHub } from "../../src/adapters/github/graphql-issue-github.js";
import { issueGitHubFromContext } from "../../src/adapters/github/issue-github.js";
import { withConfigPath } from "../../src/adapters/github/issue-github-for.js";
import { readOnlyIssueGitHub } from "../../src/adapters/github/readonly-issue-github.js";
import { labeledPayload } from "../../dev/webhook-payloads.js";
import { API } from "../support/github-mocks.js";
import { SCENARIO_REPO, scenarioConfigYaml } from "../../dev/scenario.js";

const { owner, repo } = SCENARIO_REPO;
const OWN = "_extends: org-config\nmode: review\n";
const ownPath = (path = ".github%2Fconfig-triage.yml") => `/repos/${owner}/${repo}/contents/${path}`;
const BASE_PATH = `/repos/${owner}/org-config/contents/.github%2Fconfig-triage.yml`;
// Answered as application/vnd.github.raw, which Octokit gives as an ArrayBuffer (read as text all the same).
const RAW = { "content-type": "application/vnd.github.raw" };

function context(): Context<"issues"> {
  const octokit = new ProbotOctokit({
    auth: { token: "ghs_test" },
    retry: { enabled: false },
    throttle: { enabled: false },
  });
  const event = {
    id: "d-1",
    name: "issues" as const,
    payload: labeledPayload({ owner, repo, number: 930, title: "t", body: "", label: "triage:config" }) as never,
  };
  return new Context(event, octokit as never, { info() {}, warn() {}, error() {}, debug() {} } as never);
}

/** The merged config must be the scenario's, with the repository's own `mode` on top. */
function expectMerged(read: { kind: string; value?: unknown }) {
  expect(read.kind).toBe("found");
  const parsed = parseConfig(read.value);
  expect(parsed.ok && parsed.config.mode).toBe("review");
  expect(parsed.ok && Object.keys(parsed.config.environments)).toEqual(["staging", "production"]);
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
beforeEach(() => {
  nock.cleanAll();
  resetGraphqlFallbacks();
});
afterEach(() => expect(nock.pendingMocks()).toEqual([]));

describe("`_extends` is followed on every path that reads the config", () => {
  it("the app over REST", async () => {
    nock(API).get(ownPath()).reply(200, OWN, RAW).get(BASE_PATH).reply(200, scenarioConfigYaml, RAW);
    expectMerged(await issueGitHubFromContext(context(), 930).readConfig());
  });

  it("the app over GraphQL (the repository's file from its one read, the base over REST)", async () => {
    const ctx = context();
    nock(API)
      .post("/graphql")
      .reply(200, {
        data: {
          repository: {
            id: "R_1",
            url: `https://github.com/${owner}/${repo}`,
            config: { __typename: "Blob", text: OWN },
            templates: null,
            labels: { totalCount: 0, nodes: [] },
            issue: {
              id: "I_930",
              state: "OPEN",
              comments: { pageInfo: { hasNextPage: false }, nodes: [] },
              subIssues: { nodes: [] },
            },
          },
        },
      })
      .get(BASE_PATH)
      .reply(200, scenarioConfigYaml);
    expectMerged(await graphqlIssueGitHub(ctx, { appId: 1, appSlug: "config-triage" }, 930).readConfig());
  });

  it("the read-only client of the CLI's plan and the Action", async () => {
    nock(API).get(ownPath()).reply(200, OWN).get(BASE_PATH).reply(200, scenarioConfigYaml);
    const octokit = new Octokit({ auth: "t", baseUrl: API });
    expectMerged(await readOnlyIssueGitHub(octokit, owner, repo, 930).readConfig());
  });

  it("the Action's config-path (that file, no `.github` repository fallback; its base at the same path)", async () => {
    const path = "ops/triage.yml";
    nock(API)
      .get(ownPath("ops%2Ftriage.yml"))
      .reply(200, OWN)
      .get(`/repos/${owner}/org-config/contents/ops%2Ftriage.yml`)
      .reply(200, scenarioConfigYaml);
    const octokit = new Octokit({ auth: "t", baseUrl: API });
    const gh = withConfigPath(readOnlyIssueGitHub(octokit, owner, repo, 930), octokit, path);
    expectMerged(await gh.readConfig());
  });

  describe("the CLI", () => {
    let dir: string;
    const io = (out: string[]) => ({
      stdout: (t: string) => void out.push(t),
      stderr: (t: string) => void out.push(t),
      stderrIsTTY: false,
      env: { GITHUB_TOKEN: "t", GITHUB_API_URL: API, GITHUB_REPOSITORY: `${owner}/${repo}` },
      cwd: dir,
    });
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), "extends-"));
      await mkdir(join(dir, ".github"));
      await writeFile(join(dir, ".github/config-triage.yml"), OWN);
    });

    it("validate: valid with its base", async () => {
      nock(API).get(BASE_PATH).reply(200, scenarioConfigYaml, RAW);
      const out: string[] = [];
      expect(await runCli(["validate"], io(out))).toBe(0);
      expect(out.join("")).toMatch(/^\.github\/config-triage\.yml and \d+ templates are valid\n$/);
    });

    it("check: a mistake in the base is found before anything is checked", async () => {
      nock(API).get(BASE_PATH).reply(200, scenarioConfigYaml.replace("    region: us-central1\n", "    regoin: x\n"));
      const out: string[] = [];
      expect(await runCli(["check"], io(out))).toBe(2);
      expect(out.join("")).toContain("unknown key `regoin` in `environments.staging`: did you mean `region`?");
    });

    it("validate without a token: says how to read the base", async () => {
      const out: string[] = [];
      const noToken = { ...io(out), env: { GITHUB_REPOSITORY: `${owner}/${repo}` } };
      expect(await runCli(["validate"], noToken)).toBe(2);
      expect(out.join("")).toContain(
        `the config extends ${owner}/org-config:.github/config-triage.yml, which is read from GitHub: set GITHUB_TOKEN`,
      );
    });
  });
});

describe("the one config source reads what Probot's context.config reads", () => {
  const file = (r: string, path = ".github%2Fconfig-triage.yml") => `/repos/${owner}/${r}/contents/${path}`;
  it.each<{ name: string; files: Record<string, string | null> }>([
    { name: "the repository's file alone", files: { [file(repo)]: scenarioConfigYaml } },
    {
      name: "the owner's .github repository's file",
      files: { [file(repo)]: null, [file(".github")]: scenarioConfigYaml },
    },
    {
      name: "a chain of two bases, nested maps merged and lists joined",
      files: {
        [file(repo)]: "_extends: base-a\nlabels: [own]\nroles: { close: admin }\n",
        [file("base-a")]: "_extends: other-org/base-b:ops/b.yml\nlabels: [a]\nroles: { apply: maintain }\n",
        "/repos/other-org/base-b/contents/ops%2Fb.yml": "labels: [b]\nmode: review\nroles: { close: write }\n",
      },
    },
    {
      name: "a base that does not exist",
      files: { [file(repo)]: "_extends: gone\nmode: review\n", [file("gone")]: null },
    },
  ])("$name", async ({ files }) => {
    const mock = () => {
      const scope = nock(API);
      for (const [path, text] of Object.entries(files)) {
        if (text === null) scope.get(path).reply(404, { message: "Not Found" });
        else scope.get(path).reply(200, text);
      }
    };
    mock();
    const probot = await context().config("config-triage.yml");
    mock();
    const ours = await issueGitHubFromContext(context(), 930).readConfig();
    expect(ours).toMatchObject({ kind: "found", value: probot });
  });
});
