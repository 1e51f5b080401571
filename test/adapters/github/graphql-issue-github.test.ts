/**
 * The GraphQL transport through `probot.receive` with nock: the exact requests of a triage (one read, one document
 * creating and linking the follow-ups, one with the comment), the content of the mutations, the fallback to REST when
 * GraphQL cannot serve the installation, and a repeated run that writes nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import nock from "nock";
import { READ_QUERY } from "../../../src/adapters/github/build-graphql-documents.js";
import { graphqlFallbacks, resetGraphqlFallbacks } from "../../../src/adapters/github/fall-back-to-rest.js";
import {
  API,
  createdIssueJson,
  mockDependencies,
  mockInstallationToken,
  mockStructureReads,
  mockTriageReads,
} from "../../support/github-mocks.js";
import { APP_ID, TRIAGE_PERMISSION } from "../../support/probot.js";
import { EXAMPLE_SENDER, INSTALLATION_ID, labeledPayload } from "../../../dev/webhook-payloads.js";
import { testApp, useCloudRunEmulator } from "../../support/test-app.js";
import { SCENARIO_REPO, scenarioConfigYaml, scenarioIssue, scenarioServices } from "../../../dev/scenario.js";

const { owner, repo } = SCENARIO_REPO;
const REPO = `/repos/${owner}/${repo}`;
const TEMPLATE_LABELS = [
  "priority:critical",
  "config-triage",
  "needs-review",
  "architecture",
  "documentation",
  "monitoring",
];
const bot = { __typename: "Bot", login: "config-triage" };

const cloudRun = useCloudRunEmulator({ blockNetwork: true });
const app = () =>
  testApp(cloudRun.clients, { identity: { appId: APP_ID, appSlug: "config-triage" }, transport: "graphql" });

const labeled = () => ({
  id: "delivery-1",
  name: "issues" as const,
  payload: labeledPayload({ owner, repo, ...scenarioIssue, label: "triage:config" }) as any,
});

/** GitHub's answer to READ_QUERY for issue #930, with the given comments and sub-issues. */
function readAnswer(o: { comments?: unknown[]; subIssues?: unknown[] } = {}) {
  return {
    data: {
      repository: {
        id: "R_repo",
        url: `https://github.com/${owner}/${repo}`,
        config: { __typename: "Blob", text: scenarioConfigYaml },
        templates: null,
        labels: {
          totalCount: TEMPLATE_LABELS.length,
          nodes: TEMPLATE_LABELS.map((name) => ({ id: `LA_${name}`, name })),
        },
        issue: {
          id: "I_930",
          state: "OPEN",
          comments: { pageInfo: { hasNextPage: false }, nodes: o.comments ?? [] },
          subIssues: { nodes: o.subIssues ?? [] },
        },
      },
    },
  };
}

type GqlBody = { query: string; variables?: Record<string, any> };

beforeEach(() => {
  resetGraphqlFallbacks();
  nock.cleanAll();
  mockInstallationToken();
  // The label's sender may trigger a triage (checked over REST, after the config is read).
  nock(API)
    .get(`${REPO}/collaborators/${EXAMPLE_SENDER}/permission`)
    .optionally()
    .reply(200, TRIAGE_PERMISSION)
    .persist();
  for (const s of scenarioServices().services) cloudRun.emulator.setService(s);
});

afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
});

describe("the GraphQL transport", () => {
  it("triages #930: one read, documents creating and linking follow-ups (blockers first), one comment", async () => {
    const sent: GqlBody[] = [];
    let n = 930;
    const scope = nock(API)
      .post("/graphql", (body: GqlBody) => body.query === READ_QUERY)
      .reply(200, (_uri, body) => {
        sent.push(body as GqlBody);
        return readAnswer();
      })
      .post("/graphql", (body: GqlBody) => body.query.startsWith("mutation ConfigTriageFollowUps"))
      .times(2)
      .reply(200, (_uri, body) => {
        const b = body as GqlBody;
        sent.push(b);
        const data: Record<string, unknown> = {};
        Object.entries(b.variables!).forEach(([name, input]) => {
          n++;
          data[`f${name.slice(1)}`] = {
            issue: {
              id: `I_${n}`,
              fullDatabaseId: String(3_650_009_000 + n),
              number: n,
              title: input.title,
              state: "OPEN",
              url: "u",
            },
          };
        });
        return { data };
      })
      .post("/graphql", (body: GqlBody) => body.query.startsWith("mutation ConfigTriageFinish"))
      .reply(200, (_uri, body) => {
        sent.push(body as GqlBody);
        return { data: { comment: { commentEdge: { node: { id: "IC_1" } } } } };
      });

    // Milestones and issue types over REST (read because the templates ask for them); the dependency over REST.
    mockStructureReads(scope);
    const dependencies: Array<{ blocked: number; issue_id: number }> = [];
    mockDependencies(scope, [[933, 3_650_009_932]], dependencies);

    await app().receive(labeled());

    expect(sent).toHaveLength(4);
    expect(sent[0].variables).toEqual({
      owner,
      repo,
      number: 930,
      config: "HEAD:.github/config-triage.yml",
      templates: "HEAD:.github/config-triage",
    });
    const [first, second] = [sent[1], sent[2]];
    // The consolidation is created before the documentation, whose body names it by number.
    expect(first.query.match(/createIssue\(input: \$i\d\)/g)).toHaveLength(2);
    expect(second.query.match(/createIssue\(input: \$i\d\)/g)).toHaveLength(2);
    expect(second.variables!.i0.body).toContain("- [ ] Blocked by #932 — Consolidate configuration");
    expect(dependencies).toEqual([{ blocked: 933, issue_id: 3_650_009_932 }]);
    // Milestones and types by node id, as createIssue takes them.
    expect(first.variables!.i0).toMatchObject({ issueTypeId: "IT_standin2" });
    expect(first.variables!.i0.milestoneId).toBeUndefined();
    expect(first.variables!.i1).toMatchObject({ milestoneId: "MI_standin2", issueTypeId: "IT_standin1" });
    expect(second.variables!.i1).toMatchObject({ milestoneId: "MI_standin3", issueTypeId: "IT_standin1" });
    const create = {
      variables: { ...first.variables, i2: second.variables!.i0, i3: second.variables!.i1 } as Record<string, any>,
    };
    expect(Object.values(create.variables!).map((i) => i.title)).toEqual([
      "Fix configuration: JWT_SECRET_STAGING missing on staging",
      "Consolidate configuration into a single source of truth (JWT_SECRET_STAGING, JWT_SECRET_PRODUCTION)",
      "Document the configuration flow of JWT_SECRET_STAGING, JWT_SECRET_PRODUCTION",
      "Monitor configuration health of staging, production",
    ]);
    for (const input of Object.values(create.variables!)) {
      expect(input).toMatchObject({ repositoryId: "R_repo", parentIssueId: "I_930" });
      expect(input.body).toContain("#930");
      expect(input.labelIds).toContain("LA_config-triage");
    }
    expect(create.variables!.i0.labelIds).toEqual(["LA_priority:critical", "LA_config-triage", "LA_needs-review"]);
    const finish = sent[3];
    expect(finish.query).toBe(
      "mutation ConfigTriageFinish($c: AddCommentInput!) {\n  comment: addComment(input: " +
        "$c) { commentEdge { node { id } } }\n}",
    );
    expect(finish.variables!.c.subjectId).toBe("I_930");
    expect(finish.variables!.c.body).toContain("- [ ] #931");
    expect(finish.variables!.c.body).toContain("- [ ] #934");
    expect(finish.variables!.c.body).toContain("This issue stays open");
  });

  it("writes nothing when a repeated run finds what it wrote before, hours later (one request in all)", async () => {
    // The first run, as above, keeping what it wrote.
    const created: Array<Record<string, unknown>> = [];
    let written = "";
    const scope = nock(API)
      .post("/graphql", (body: GqlBody) => body.query === READ_QUERY)
      .reply(200, readAnswer())
      .post("/graphql", (body: GqlBody) => body.query.startsWith("mutation ConfigTriageFollowUps"))
      .times(2)
      .reply(200, (_uri, body) => {
        const data: Record<string, unknown> = {};
        Object.values((body as GqlBody).variables!).forEach((input, i) => {
          const n = 931 + created.length;
          const issue = {
            id: `I_${n}`,
            fullDatabaseId: String(3_650_009_000 + n),
            number: n,
            title: input.title,
            state: "OPEN",
            url: "u",
          };
          created.push({ ...issue, body: input.body, author: bot });
          data[`f${i}`] = { issue };
        });
        return { data };
      })
      .post("/graphql", (body: GqlBody) => body.query.startsWith("mutation ConfigTriageFinish"))
      .reply(200, (_uri, body) => {
        written = (body as GqlBody).variables!.c.body;
        return { data: { comment: { commentEdge: { node: { id: "IC_1" } } } } };
      });
    mockDependencies(mockStructureReads(scope), [[933, 3_650_009_932]]);
    await app().receive(labeled());
    expect(created).toHaveLength(4);

    // The repeated run sees that comment, checked years ago, and the four follow-ups: it reads once and stops.
    const earlier = written.replace(/ at \d{4}-\d\d-\d\d \d\d:\d\d UTC\./, " at 2001-02-03 04:05 UTC.");
    expect(earlier).not.toBe(written);
    nock(API)
      .post("/graphql", (body: GqlBody) => body.query === READ_QUERY)
      .reply(
        200,
        readAnswer({
          comments: [{ id: "IC_1", fullDatabaseId: "3550000555", body: earlier, author: bot }],
          subIssues: created,
        }),
      );
    await app().receive(labeled());
  });

  it("creates the labels a repository lacks before the follow-ups; takes one another triage created", async () => {
    const known = TEMPLATE_LABELS.filter((l) => l !== "needs-review" && l !== "monitoring");
    const answer = readAnswer();
    answer.data.repository.labels = {
      totalCount: known.length,
      nodes: known.map((name) => ({ id: `LA_${name}`, name })),
    };
    const sent: GqlBody[] = [];
    let n = 930;
    const scope = nock(API)
      .post("/graphql", (body: GqlBody) => body.query === READ_QUERY)
      .reply(200, answer)
      .post("/graphql", (body: GqlBody) => body.query.startsWith("mutation ConfigTriageLabels"))
      .reply(200, (_uri, body) => {
        sent.push(body as GqlBody);
        // `needs-review` was created by a concurrent triage after this one read the labels.
        return {
          data: { l0: null, l1: { label: { id: "LA_monitoring", name: "monitoring" } } },
          errors: [
            {
              type: "UNPROCESSABLE",
              path: ["l0"],
              locations: [{ line: 2, column: 3 }],
              message: "Name has already been taken",
            },
          ],
        };
      })
      .post("/graphql", (body: GqlBody) => body.query.startsWith("query ConfigTriageIds"))
      .reply(200, (_uri, body) => {
        sent.push(body as GqlBody);
        return { data: { repository: { l0: { id: "LA_needs-review", name: "needs-review" } } } };
      })
      .post("/graphql", (body: GqlBody) => body.query.startsWith("mutation ConfigTriageFollowUps"))
      .times(2)
      .reply(200, (_uri, body) => {
        const b = body as GqlBody;
        sent.push(b);
        const data: Record<string, unknown> = {};
        Object.entries(b.variables!).forEach(([name, input]) => {
          n++;
          const issue = {
            id: `I_${n}`,
            fullDatabaseId: String(3_650_009_000 + n),
            number: n,
            title: input.title,
            state: "OPEN",
            url: "u",
          };
          data[`f${name.slice(1)}`] = { issue };
        });
        return { data };
      })
      .post("/graphql", (body: GqlBody) => body.query.startsWith("mutation ConfigTriageFinish"))
      .reply(200, { data: { comment: { commentEdge: { node: { id: "IC_1" } } } } });
    mockDependencies(mockStructureReads(scope), [[933, 3_650_009_932]]);

    await app().receive(labeled());

    expect(Object.values(sent[0].variables!).map((l) => l.name)).toEqual(["needs-review", "monitoring"]);
    expect(sent[1].query).toContain('label(name: "needs-review")');
    const created = [...Object.values(sent[2].variables!), ...Object.values(sent[3].variables!)];
    expect(created.every((input) => input.labelIds.includes("LA_needs-review"))).toBe(true);
    expect(created[3].labelIds).toContain("LA_monitoring");
  });

  it("falls back to REST when GraphQL has no sub-issues (older GHES), remembered for the installation", async () => {
    nock(API)
      .post("/graphql")
      .reply(200, {
        errors: [
          {
            path: ["query ConfigTriageRead", "repository", "issue", "subIssues"],
            extensions: { code: "undefinedField", typeName: "Issue", fieldName: "subIssues" },
            locations: [{ line: 14, column: 7 }],
            message: "Field 'subIssues' doesn't exist on type 'Issue'",
          },
        ],
      });
    restTriage();
    await app().receive(labeled());
    expect(graphqlFallbacks().get(INSTALLATION_ID)).toBe("Field 'subIssues' doesn't exist on type 'Issue'");

    // The next delivery for the installation goes straight to REST: no GraphQL request is mocked.
    restTriage({ existing: true });
    await app().receive(labeled());
  });

  it("falls back to REST when the token may not use GraphQL (403 without a rate limit)", async () => {
    nock(API).post("/graphql").reply(403, { message: "Resource not accessible by integration" });
    restTriage();
    await app().receive(labeled());
    expect(graphqlFallbacks().get(INSTALLATION_ID)).toMatch(/HTTP 403/);
  });

  it("says which follow-ups were made when the create document fails part-way", async () => {
    // The milestones and issue types are read before anything is created.
    mockStructureReads(nock(API));
    nock(API)
      .post("/graphql", (body: GqlBody) => body.query === READ_QUERY)
      .reply(200, readAnswer())
      .post("/graphql", (body: GqlBody) => body.query.startsWith("mutation ConfigTriageFollowUps"))
      .reply(200, {
        // GitHub's partial answer: the refused field is null, the others hold their issue.
        data: {
          f0: {
            issue: { id: "I_931", fullDatabaseId: "3650009931", number: 931, title: "Fix", state: "OPEN", url: "u" },
          },
          f1: null,
        },
        errors: [{ path: ["f1"], message: "Something went wrong while executing your query." }],
      });
    await expect(app().receive(labeled())).rejects.toThrow(
      /creating follow-ups failed \(Something went wrong while executing your query\.\); created: #931$/,
    );
  });

  it("does not fall back on an ordinary failure: a 502 fails the delivery and writes nothing", async () => {
    nock(API).post("/graphql").reply(502, { message: "Bad Gateway" });
    await expect(app().receive(labeled())).rejects.toThrow();
    expect(graphqlFallbacks().size).toBe(0);
  });
});

/** The REST triage of the scenario: reads, four follow-ups created and linked, the comment. */
function restTriage(o: { existing?: boolean } = {}) {
  const scope = mockTriageReads(nock(API))
    // The REST way creates, then links: before creating, the app looks for its own unlinked follow-ups of this issue
    // (who it is: GET /app, once per process).
    .get(`${REPO}/issues`)
    .query((q) => q.creator === "config-triage[bot]")
    .reply(200, []);
  nock(API).get("/app").optionally().reply(200, { id: APP_ID, slug: "config-triage" });
  let n = o.existing ? 940 : 930;
  mockStructureReads(scope);
  mockDependencies(scope, [[n + 3, 9000 + n + 2]]);
  scope
    .post(`${REPO}/issues`)
    .times(4)
    .reply(201, (_uri, body: any) => createdIssueJson(REPO, ++n, body))
    .post(`${REPO}/issues/930/sub_issues`)
    .times(4)
    .reply(201, { id: 1, number: 930 })
    .post(`${REPO}/issues/930/comments`)
    .reply(201, { id: 555 });
}
