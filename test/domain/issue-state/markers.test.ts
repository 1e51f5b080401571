import { describe, expect, it } from "@jest/globals";
import { markerSigner } from "../../../src/entry/action/sign-markers.js";
import { followUpBody } from "../../../src/rendering/build-follow-up-plan.js";
import {
  diagnosisStateMarker,
  emptyState,
  followUpMarker,
  noticeMarker,
  readDiagnosisState,
  readFollowUpMarker,
  readNoticeMarker,
  replaceMarker,
  writeMarker,
  type DiagnosisState,
} from "../../../src/domain/issue-state/markers.js";
import { recall } from "../../../src/use-cases/triage/run-triage.js";

/** A logger that keeps its lines, to assert what was logged (and that nothing of the marker's text was). */
function memoryLog() {
  const lines: Array<{ obj: object; msg?: string }> = [];
  return { lines, warn: (obj: object, msg?: string) => void lines.push({ obj, msg }) };
}

/** A state as the current release writes it (`renderDiagnosisComment`): version 2, with kinds, a plan and reviews. */
const CURRENT_STATE: DiagnosisState = {
  v: 2,
  followUps: [{ template: "immediate-fix", number: 931, id: 3_100_931, node_id: "I_kwDOAA", blockedBy: [932] }],
  problems: ["missing:staging:netra-backend:JWT_SECRET_STAGING"],
  kinds: ["missing", "source"],
  plan: {
    id: "ab12cd34",
    config: "f".repeat(64),
    problems: ["missing:staging:netra-backend:JWT_SECRET_STAGING"],
    items: [{ template: "immediate-fix", title: "Fix", labels: ["bug"], assignees: [], action: "create" }],
  },
  reviews: { "ssot-consolidation": "rejected" },
  notSet: ["`immediate-fix`: no milestone"],
};

describe("the markers and the app's issue state", () => {
  it.each<{ name: string; body: string; read: (body: string) => unknown; expected: unknown }>([
    {
      name: "a version 2 state with every field",
      body: diagnosisStateMarker(CURRENT_STATE),
      read: readDiagnosisState,
      expected: CURRENT_STATE,
    },
    {
      name: "a version 1 state (a run that could not finish writes one)",
      body: diagnosisStateMarker(emptyState()),
      read: readDiagnosisState,
      expected: { v: 1, followUps: [], problems: [] },
    },
    {
      name: "a state with a field a later release added (kept, so a rewrite does not drop it)",
      body: writeMarker("diagnosis", { ...emptyState(), watch: { every: "30m" } }),
      read: readDiagnosisState,
      expected: { v: 1, followUps: [], problems: [], watch: { every: "30m" } },
    },
    {
      name: "a follow-up's body as the plan writes it",
      body: followUpBody("Fix it.", { owner: "o", repo: "r", number: 930, title: "t", body: "", url: "" }, "runbook"),
      read: readFollowUpMarker,
      expected: { parent: 930, template: "runbook" },
    },
    {
      name: "a rejected follow-up",
      body: followUpMarker({ parent: 930, template: "runbook", rejected: true }),
      read: readFollowUpMarker,
      expected: { parent: 930, template: "runbook", rejected: true },
    },
    {
      name: "a follow-up marker that names its version",
      body: writeMarker("follow-up", { v: 1, parent: 930, template: "runbook" }),
      read: readFollowUpMarker,
      expected: { v: 1, parent: 930, template: "runbook" },
    },
    {
      name: "a notice",
      body: `${noticeMarker({ notice: "command-role", user: "reader" })}\n> /triage apply`,
      read: readNoticeMarker,
      expected: { notice: "command-role", user: "reader" },
    },
  ])("reads $name", ({ body, read, expected }) => {
    expect(read(`Text a person added.\n\n${body}\n\nMore text.`)).toEqual(expected);
  });

  it.each<{ name: string; body: string; read: (body: string, log: ReturnType<typeof memoryLog>) => unknown }>([
    { name: "a state of an unknown version", body: writeMarker("diagnosis", { v: 3 }), read: readDiagnosisState },
    { name: "a state without a version", body: writeMarker("diagnosis", { problems: [] }), read: readDiagnosisState },
    {
      name: "a state whose follow-ups are not a list",
      body: writeMarker("diagnosis", { v: 2, followUps: "931", problems: [] }),
      read: readDiagnosisState,
    },
    {
      name: "a state with a review that is not one",
      body: writeMarker("diagnosis", { ...emptyState(), reviews: { x: "maybe" } }),
      read: readDiagnosisState,
    },
    { name: "a state that is not JSON", body: "<!-- config-triage:diagnosis {v:2} -->", read: readDiagnosisState },
    { name: "a state that is null", body: "<!-- config-triage:diagnosis null -->", read: readDiagnosisState },
    { name: "an unterminated state", body: '<!-- config-triage:diagnosis {"v":1', read: readDiagnosisState },
    {
      name: "a follow-up marker without a template",
      body: writeMarker("follow-up", { parent: 930 }),
      read: readFollowUpMarker,
    },
    {
      name: "a follow-up marker whose parent is text",
      body: writeMarker("follow-up", { parent: "930", template: "x" }),
      read: readFollowUpMarker,
    },
    {
      name: "a follow-up marker of an unknown version",
      body: writeMarker("follow-up", { v: 2, parent: 930, template: "x" }),
      read: readFollowUpMarker,
    },
    { name: "a notice that is a list", body: writeMarker("notice", ["a"]), read: readNoticeMarker },
  ])("ignores $name, with a log line that quotes nothing of it", ({ body, read }) => {
    const log = memoryLog();
    expect(read(`${body} SECRET-LIKE-TEXT`, log)).toBeUndefined();
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0].msg).toBe("ignored a config-triage marker");
    expect(JSON.stringify(log.lines[0].obj)).not.toContain("SECRET-LIKE-TEXT");
  });

  it("reads nothing, and logs nothing, where there is no marker", () => {
    const log = memoryLog();
    expect(readDiagnosisState("Just a comment", log)).toBeUndefined();
    expect(readFollowUpMarker(null, log)).toBeUndefined();
    expect(log.lines).toEqual([]);
  });

  it("rewrites one marker in place and leaves the rest of the text alone", () => {
    const body = `Note.\n${followUpMarker({ parent: 930, template: "runbook" })}\nText --> more`;
    const next = replaceMarker(body, "follow-up", { parent: 930, template: "runbook", rejected: true });
    expect(next).toBe(`Note.\n${followUpMarker({ parent: 930, template: "runbook", rejected: true })}\nText --> more`);
    expect(replaceMarker("no marker", "follow-up", { parent: 1, template: "x" })).toBe("no marker");
  });

  it("keeps the app's comment whose state is of an unknown version, as its own, with no state", () => {
    const identity = { appId: 1 };
    const log = memoryLog();
    const comment = {
      id: 5,
      body: `${writeMarker("diagnosis", { v: 9, followUps: [] })}\n\nold text`,
      performed_via_github_app: { id: 1 },
    };
    const memory = recall([comment], [], identity, 930, log);
    expect(memory.comment?.id).toBe(5);
    expect(memory.state).toBeUndefined();
    expect(memory.followUps).toEqual([]);
    expect(log.lines).toHaveLength(1);
  });

  it("signs and verifies the state marker the Action writes, and then reads it", () => {
    const signer = markerSigner("key", "acme/api");
    const signed = signer.sign(`${diagnosisStateMarker(CURRENT_STATE)}\n\nreport`);
    expect(signed).toMatch(/ sig=[0-9a-f]{64} -->/);
    expect(readDiagnosisState(signer.verify(signed))).toEqual(CURRENT_STATE);
    const forged = signed.replace("immediate-fix", "other-fix");
    expect(readDiagnosisState(markerSigner("key", "acme/api").verify(forged))).toBeUndefined();
  });
});
