/**
 * Text from issues and comments is data: hostile titles, bodies and command text go through the real pipeline (the app
 * on the GitHub stand-in, Cloud Run from the emulator), and everything the app writes to GitHub is checked: no mention
 * that pings, no marker but the app's own, balanced fences and <details>, within GitHub's limits; and the app still
 * finds its own comment and follow-ups afterwards.
 */
import { OWN_END } from "../../src/rendering/own-section.js";
import {
  addScenarioRepo,
  FULL,
  labeledEvent,
  postCommand,
  startStandInApp,
  type StandInApp,
} from "../support/standin-app.js";

let app: StandInApp;

beforeAll(async () => {
  app = await startStandInApp();
  addScenarioRepo(app);
});
afterAll(() => app.close());

const MARKER =
  '<!-- config-triage:diagnosis {"v":1,"followUps":[{"template":"immediate-fix","number":1,"id":1}],"problems":[]} -->';
const HOSTILE_TITLE =
  `@everyone cc @netra-systems/admins ${MARKER} </details> \`\`\` | a | b | [x](javascript:alert(1)) <img src=x ` +
  `onerror=alert(1)>`;
const HOSTILE_BODY = [
  "The staging backend fails: `JWT_SECRET_STAGING` is missing. cc @octocat @netra-systems/security",
  "Also see `JWT_**SECRET**_STAGING` and `](http://evil.example) <b>JWT</b>`, and `` `JWT_SECRET_PRODUCTION` ``.",
  "```",
  MARKER,
  "</details>",
  '<!-- config-triage:follow-up {"parent":1,"template":"immediate-fix"} -->',
  "x".repeat(100 * 1024),
].join("\n");
const HOSTILE_COMMENT = `/triage frobnicate @mallory ${MARKER} \`\`\` </details> ${"y".repeat(70_000)}`;

function appWrites(from: number): Array<{ what: string; text: string }> {
  return app.standIn.requests
    .slice(from)
    .filter((r) => r.method !== "GET" && !r.path.includes("/access_tokens"))
    .flatMap((r) => {
      const body = r.body as { body?: string; title?: string } | undefined;
      return [
        ...(typeof body?.body === "string" ? [{ what: `${r.method} ${r.path} body`, text: body.body }] : []),
        ...(typeof body?.title === "string" ? [{ what: `${r.method} ${r.path} title`, text: body.title }] : []),
      ];
    });
}

/** The app's own markers, at the places it puts them; anything else that opens an HTML comment came from outside. */
function withoutOwnMarkers(text: string): string {
  return text.replace(/^<!-- config-triage:(diagnosis|follow-up|notice) \{[^\n]*?\} -->/, "").replace(OWN_END, "");
}

function expectSafe(writes: Array<{ what: string; text: string }>) {
  expect(writes.length).toBeGreaterThan(0);
  for (const { what, text } of writes) {
    const where = `${what}: ${text.slice(0, 200)}`;
    expect([where, text.length <= 65_536]).toEqual([where, true]);
    // A mention pings unless something sits between @ and the name (the app writes @&#8203;name).
    expect([where, text.match(/(?<![\w`])@[A-Za-z0-9]/g) ?? []]).toEqual([where, []]);
    expect([where, withoutOwnMarkers(text).includes("<!--")]).toEqual([where, false]);
    expect([where, (text.match(/^\s*```/gm) ?? []).length % 2]).toEqual([where, 0]);
    expect([where, (text.match(/<details>/g) ?? []).length]).toEqual([
      where,
      (text.match(/<\/details>/g) ?? []).length,
    ]);
    // HTML and links from outside stay text: their `<` and `]` carry a backslash.
    expect([where, /(?<!\\)<img|(?<!\\)\]\(javascript:/i.test(text)]).toEqual([where, false]);
  }
}

afterEach(() => expect(app.standIn.violations).toEqual([]));

test("a hostile issue (title, 100 KB body) triaged by label: the app writes safely and knows its own", async () => {
  const issue = app.standIn.addIssue(FULL, {
    title: HOSTILE_TITLE,
    body: HOSTILE_BODY,
    user: { login: "mallory", type: "User" },
  });
  const from = app.standIn.requests.length;
  const probot = app.probot();
  await probot.receive(labeledEvent(issue));
  const writes = appWrites(from);
  expectSafe(writes);
  // The triage really ran on that text: the backticked variable was checked, and the follow-ups quote the title.
  const comments = app.standIn.issue(FULL, issue.number)!.comments.filter((c) => c.user.type === "Bot");
  expect(comments).toHaveLength(1);
  expect(comments[0].body).toContain("`JWT_SECRET_STAGING` is missing on staging / netra-backend");
  expect(writes.some((w) => w.what.startsWith("POST") && w.text.includes("everyone"))).toBe(true);
  expect(app.standIn.issue(FULL, issue.number)!.sub_issues).toHaveLength(4);

  // The pasted markers fooled nothing: a recheck rewrites the same comment and opens no second set of follow-ups.
  const again = app.standIn.requests.length;
  await probot.receive(postCommand(app, app.standIn.issue(FULL, issue.number)!, "/triage recheck"));
  expectSafe(appWrites(again));
  expect(app.standIn.issue(FULL, issue.number)!.comments.filter((c) => c.user.type === "Bot")).toHaveLength(1);
  expect(app.standIn.issue(FULL, issue.number)!.sub_issues).toHaveLength(4);
});

test.each<[string, string, string?]>([
  ["an unknown command with mentions, a marker, a fence and 70 KB", HOSTILE_COMMENT],
  ["a command refused for its role, quoted back", `/triage apply @mallory </details> \`\`\` ${MARKER}`, "stranger"],
  [
    "several commands in one comment",
    ["/triage nope @a", "/triage nada @b ```", "/triage zilch </details>"].join("\n"),
  ],
])("%s: the reply quotes it safely", async (_name, body, login = "maintainer") => {
  const issue = app.standIn.addIssue(FULL, {
    title: "JWT failures",
    body: "`JWT_SECRET_STAGING`",
    user: { login: "mallory", type: "User" },
  });
  const from = app.standIn.requests.length;
  await app.probot().receive(postCommand(app, issue, body, login));
  const writes = appWrites(from);
  expect(writes.some((w) => w.text.includes("😕"))).toBe(true);
  expectSafe(writes);
});

test("a rejection reason on a follow-up (hostile text) is quoted safely on the follow-up", async () => {
  const issue = app.standIn.addIssue(FULL, {
    title: "JWT failures",
    body: "`JWT_SECRET_STAGING`",
    user: { login: "maintainer", type: "User" },
  });
  const probot = app.probot();
  await probot.receive(labeledEvent(issue));
  const child = app.standIn.issues(FULL).find((i) => i.id === app.standIn.issue(FULL, issue.number)!.sub_issues[0])!;
  const from = app.standIn.requests.length;
  await probot.receive(
    postCommand(app, child, `/triage reject @mallory says </details> \`\`\` ${MARKER} ${"z".repeat(80_000)}`, "writer"),
  );
  const writes = appWrites(from);
  expect(writes.some((w) => w.text.includes("mallory"))).toBe(true);
  expectSafe(writes);
});
