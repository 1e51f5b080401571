import { fitBody, fitTitle, GITHUB_BODY_LIMIT } from "../../src/rendering/fit-body.js";
import { fitComment } from "../../src/rendering/render-diagnosis.js";
import { followUpBody } from "../../src/rendering/build-follow-up-plan.js";
import { readMarker, writeMarker } from "../../src/domain/issue-state/markers.js";
import { OWN_END } from "../../src/rendering/own-section.js";

const parent = { owner: "o", repo: "r", number: 930, title: "t", body: null, url: "u" };
const lines = (n: number, width = 60) =>
  Array.from({ length: n }, (_, i) => `line ${i} `.padEnd(width, "x")).join("\n");

describe("fitBody", () => {
  it("returns a body within the limit as it is", () => {
    expect(fitBody("short")).toBe("short");
  });

  it("keeps every marker whole, wherever the cut falls, and says what was cut", () => {
    const state = writeMarker("diagnosis", { v: 2, problems: ["a".repeat(5_000)] });
    const body = `${state}\n\n${lines(3_000)}\n${OWN_END}\nmore people's text`;
    for (const limit of [GITHUB_BODY_LIMIT, 10_000, 6_000]) {
      const fitted = fitBody(body, { limit });
      expect(fitted.length).toBeLessThanOrEqual(limit);
      expect(readMarker("diagnosis", fitted)).toEqual({ v: 2, problems: ["a".repeat(5_000)] });
      expect(fitted).toContain(OWN_END);
      expect(fitted).toMatch(/✂️ Cut to fit GitHub's size limit: \d+ more lines not shown\./);
    }
  });

  it("moves a cut that would fall inside a marker to before it", () => {
    const marker = writeMarker("notice", { notice: "x".repeat(300) });
    const body = `${"y".repeat(900)}${marker}${"z".repeat(900)}`;
    const fitted = fitBody(body, { limit: 1_400 });
    expect(fitted.length).toBeLessThanOrEqual(1_400);
    expect(fitted).toContain(marker);
  });

  it("counts UTF-8 bytes when asked (check-run text), without splitting a character", () => {
    const body = "é".repeat(40_000) + "😀".repeat(10_000);
    const fitted = fitBody(body, { limit: 65_535, bytes: true });
    expect(Buffer.byteLength(fitted, "utf8")).toBeLessThanOrEqual(65_535);
    expect(fitted).not.toContain("\uFFFD");
    expect(fitted.length).toBeLessThan(body.length);
  });
});

describe("fitComment", () => {
  it("never cuts the state marker, even when the tail alone is over the limit", () => {
    const state = writeMarker("diagnosis", { v: 2, followUps: [], problems: ["p1", "p2"] });
    const tail = `#### Changed since the last check\n${lines(2_000)}`;
    const fitted = fitComment(`${state}\n\n${lines(2_000)}`, GITHUB_BODY_LIMIT, tail);
    expect(fitted.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(fitted.startsWith(state)).toBe(true);
    expect(fitted).toContain("#### Changed since the last check");
  });
});

describe("followUpBody", () => {
  it("cuts a template's text to GitHub's limit, keeping the marker and the line naming the parent", () => {
    const body = followUpBody(lines(2_000, 80), parent, "runbook");
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(readMarker("follow-up", body)).toEqual({ parent: 930, template: "runbook" });
    expect(body).toContain("This issue's text was cut to fit GitHub's 65,536-character limit");
    expect(body.trimEnd().endsWith("Follow-up of #930.")).toBe(true);
  });
});

describe("fitTitle", () => {
  it("cuts a title past 256 characters with an ellipsis", () => {
    expect(fitTitle("a".repeat(300))).toHaveLength(256);
    expect(fitTitle("a".repeat(300)).endsWith("…")).toBe(true);
    expect(fitTitle("short")).toBe("short");
  });
});
