import { OWN_END, replaceOwnSection } from "../../src/rendering/own-section.js";

const START = "<!-- config-triage:diagnosis ";

describe("replaceOwnSection", () => {
  it.each<[string, string | undefined, string]>([
    ["first write adds the end marker", undefined, `${START}{} -->\nnew\n${OWN_END}`],
    ["text without an end marker is all the app's", `${START}{} -->\nold`, `${START}{} -->\nnew\n${OWN_END}`],
    [
      "people's text around the section survives",
      `Note from a maintainer\n${START}{} -->\nold\n${OWN_END}\nP.S. thanks`,
      `Note from a maintainer\n${START}{} -->\nnew\n${OWN_END}\nP.S. thanks`,
    ],
  ])("%s", (_name, previous, expected) => {
    expect(replaceOwnSection(previous, `${START}{} -->\nnew`, START)).toBe(expected);
  });
});
