import { askedForTriage, markTriageRequest, shouldReportFailure } from "../../src/use-cases/asked-for-triage.js";
import { examplePayload } from "../../dev/webhook-payloads.js";

function labeled(label: string, senderType = "User") {
  const payload = examplePayload("issues", "labeled");
  payload.label.name = label;
  payload.sender.type = senderType;
  return { name: "issues", payload };
}

function comment(action: "created" | "edited", body: string, o: { from?: string; editor?: string; pr?: boolean } = {}) {
  const payload = examplePayload("issue_comment", action);
  if (o.pr) payload.issue.pull_request = { url: "https://api.github.com/repos/o/r/pulls/1" };
  else delete payload.issue.pull_request;
  payload.comment.body = body;
  if (action === "edited") {
    payload.changes = { body: { from: o.from ?? "" } };
    if (o.editor) payload.sender.login = o.editor;
  }
  return { name: "issue_comment", payload };
}

describe("askedForTriage: from the payload alone", () => {
  it.each<[string, { name: string; payload: any }, boolean]>([
    ["the default trigger label added by a person", labeled("triage:config"), true],
    ["someone's `bug` label (a configured trigger cannot be told from the payload)", labeled("bug"), false],
    ["the default label added by a bot", labeled("triage:config", "Bot"), false],
    ["a comment with a /triage command", comment("created", "please\n/triage recheck"), true],
    ["a comment without one", comment("created", "thanks, looks good"), false],
    [
      "a command on a pull request (ignored unless the config says pull_requests: true)",
      comment("created", "/triage recheck", { pr: true }),
      false,
    ],
    ["a command quoted in a code block", comment("created", "```\n/triage recheck\n```"), false],
    ["an author's edit that adds a command", comment("edited", "ok\n/triage recheck", { from: "ok" }), true],
    ["an edit that adds none", comment("edited", "/triage recheck\nmore", { from: "/triage recheck" }), false],
    [
      "someone else's edit that adds one",
      comment("edited", "ok\n/triage close", { from: "ok", editor: "someone-else" }),
      false,
    ],
    ["a pull-request event", { name: "pull_request", payload: examplePayload("pull_request", "opened") }, false],
  ])("%s", (_name, event, expected) => {
    expect(askedForTriage(event)).toBe(expected);
  });
});

describe("shouldReportFailure", () => {
  it("reports a marked run's failure, even when the payload alone could not tell (a configured label)", () => {
    const error = new Error("GitHub answered 503");
    expect(shouldReportFailure(labeled("ops:config"), new AggregateError([error]))).toBe(false);
    markTriageRequest(error);
    expect(shouldReportFailure(labeled("ops:config"), new AggregateError([error]))).toBe(true);
  });
});
