import { addedCommands, parseCommands, suggestVerb } from "../../../src/use-cases/slash-commands/parse-commands.js";

const verbs = (body: string) => parseCommands(body).map((c) => (c.args ? `${c.verb} ${c.args}` : c.verb));

describe("parseCommands", () => {
  it.each<[string, string, string[]]>([
    ["one command", "/triage recheck", ["recheck"]],
    ["several commands, in order", "/triage plan\nsome text\n/triage apply 3f9c2ab", ["plan", "apply 3f9c2ab"]],
    ["case-insensitive prefix and verb", "/TRIAGE ReCheck", ["recheck"]],
    ["extra spacing and tabs", "  /triage \t  apply    3f9c2ab   ", ["apply 3f9c2ab"]],
    ["CRLF line endings", "hi\r\n/triage help\r\n", ["help"]],
    ["not at the start of a line", "please run /triage recheck", []],
    ["four spaces in is an indented code block", "text\n\n    /triage apply", []],
    ["tab-indented code block", "\t/triage apply", []],
    ["fenced code block", "```\n/triage apply\n```\n/triage plan", ["plan"]],
    ["fenced code block with info string", "```sh\n/triage apply\n```", []],
    ["tilde fence", "~~~\n/triage apply\n~~~", []],
    ["unclosed fence hides the rest", "```\n/triage apply", []],
    ["a shorter fence does not close", "````\n```\n/triage apply\n````\n/triage help", ["help"]],
    ["quote", "> /triage apply\n/triage plan", ["plan"]],
    ["nested quote", ">> /triage apply", []],
    ["HTML comment", "<!-- /triage apply -->\n/triage help", ["help"]],
    ["multi-line HTML comment", "<!--\n/triage apply\n-->\n/triage help", ["help"]],
    ["unknown verbs are still commands (answered with did-you-mean)", "/triage aply", ["aply"]],
    ["bare /triage has no verb", "/triage", [""]],
    ["no space after /triage is not a command", "/triagerecheck", []],
    ["reject reason keeps its words", "/triage reject we   already monitor this", ["reject we already monitor this"]],
    ["empty body", "", []],
  ])("%s", (_name, body, expected) => {
    expect(verbs(body)).toEqual(expected);
  });

  it("keeps the raw line for quoting", () => {
    expect(parseCommands("  /Triage  APPLY x  ")[0]).toEqual({ verb: "apply", args: "x", raw: "/Triage  APPLY x" });
  });
});

describe("addedCommands (edited comments run only what the edit added)", () => {
  it.each<[string, string, string, string[]]>([
    ["nothing added", "/triage plan", "/triage plan\nthanks!", []],
    ["a command added", "/triage plan", "/triage plan\n/triage apply", ["apply"]],
    ["a second copy counts as added", "/triage recheck", "/triage recheck\n/triage recheck", ["recheck"]],
    ["spacing-only change is not new", "/triage   plan", "/TRIAGE plan", []],
    ["a command un-quoted by the edit", "> /triage apply", "/triage apply", ["apply"]],
    ["no previous body", "", "/triage help", ["help"]],
    ["changed arguments are a new command", "/triage apply aaaaaaa", "/triage apply bbbbbbb", ["apply bbbbbbb"]],
  ])("%s", (_name, before, after, expected) => {
    expect(addedCommands(before, after).map((c) => (c.args ? `${c.verb} ${c.args}` : c.verb))).toEqual(expected);
  });
});

describe("suggestVerb", () => {
  const names = ["help", "recheck", "plan", "apply", "close", "reopen", "approve", "reject"];
  it.each<[string, string | undefined]>([
    ["aply", "apply"],
    ["rechek", "recheck"],
    ["aprove", "approve"],
    ["deploy", undefined],
    ["", undefined],
  ])("%s -> %s", (verb, expected) => {
    expect(suggestVerb(verb, names)).toBe(expected);
  });
});
