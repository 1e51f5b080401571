import { parseConfigText } from "../../../src/domain/config/parse-config.js";
import { formatDuration, parseDuration } from "../../../src/domain/config/parse-duration.js";
import {
  decideRecheck,
  decideWatch,
  watchKey,
  watchProblems,
  watchTiming,
} from "../../../src/domain/follow-up-plan/decide-watch.js";
import { scenarioConfigYaml } from "../../../dev/scenario.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe("durations", () => {
  it.each([
    ["30s", 30_000],
    ["30m", 30 * MIN],
    ["6h", 6 * HOUR],
    ["7d", 7 * DAY],
    [" 5m ", 5 * MIN],
    ["0m", undefined],
    ["5", undefined],
    ["5 m", undefined],
    ["1.5h", undefined],
    ["-5m", undefined],
    ["5w", undefined],
  ])("parseDuration(%j) is %j", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    [5 * MIN, "5m"],
    [90 * MIN, "90m"],
    [2 * HOUR, "2h"],
    [7 * DAY, "7d"],
    [1_000, "1s"],
  ])("formatDuration(%j) is %j", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("watch: in the config", () => {
  const parse = (watch: string) => parseConfigText(`${scenarioConfigYaml}${watch}`);
  it("is off unless present; `watch: {}` takes every 30m for 7d", () => {
    const off = parse("");
    expect(off.ok && off.config.watch).toBeUndefined();
    const on = parse("watch: {}\n");
    expect(on.ok && on.config.watch).toEqual({ every: "30m", for: "7d" });
    expect(watchTiming(on.ok ? on.config.watch : undefined)).toEqual({ everyMs: 30 * MIN, forMs: 7 * DAY });
  });

  it.each([
    [
      "watch:\n  every: 30 minutes\n",
      "`watch.every` must be a whole number and a unit (s, m, h or d), e.g. `30m` or `7d`: how often to recheck",
    ],
    ["watch:\n  every: 2d\n", "`watch.every` must be at most `1d`"],
    ["watch:\n  for: 60d\n", "`watch.for` must be at most `30d`"],
    ["watch:\n  every: 1h\n  for: 30m\n", "`watch.for` must be at least `every` (`1h`)"],
    ["watch:\n  evry: 1h\n", "did you mean `every`?"],
  ])("%j is refused at its line: %s", (watch, message) => {
    const result = parse(watch);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0].message).toContain(message);
    expect(result.problems[0].line).toBeGreaterThan(scenarioConfigYaml.split("\n").length - 1);
  });

  it.each([
    [
      "every: 1m",
      5 * MIN,
      ["`watch.every` is `1m`: rechecks are at least `5m` apart on this deployment; use `every: 5m` or more"],
    ],
    ["every: 5m", 5 * MIN, []],
    ["every: 2s", 1_000, []],
  ])("the deployment's minimum: %s with a %j ms floor", (line, floor, messages) => {
    const result = parse(`watch:\n  ${line}\n`);
    const config = result.ok ? result.config : { watch: undefined };
    expect(watchProblems(config, floor, ".github/config-triage.yml").map((p) => p.message)).toEqual(messages);
  });
});

describe("decideWatch (after a triage)", () => {
  const watch = { every: "30m", for: "7d" };
  it.each([
    ["configured, still failing: start", { watch, verdict: "fail", closed: false }, { kind: "start" }],
    ["configured, could not check: start", { watch, verdict: "incomplete", closed: false }, { kind: "start" }],
    ["passes: stop", { watch, verdict: "pass", closed: false }, { kind: "stop", reason: "every check passes" }],
    ["closed: stop", { watch, verdict: "fail", closed: true }, { kind: "stop", reason: "the issue is closed" }],
    [
      "not configured, failing: keep (a watch by hand goes on)",
      { watch: undefined, verdict: "fail", closed: false },
      { kind: "keep" },
    ],
    ["not configured, passes: stop", { watch: undefined, verdict: "pass", closed: false }, { kind: "stop" }],
  ] as const)("%s", (_name, input, expected) => {
    expect(decideWatch(input)).toMatchObject(expected);
  });
});

describe("decideRecheck (a due watch)", () => {
  const open = { state: "open", labels: ["bug", "Triage:Config"] };
  const base = { now: 1_000, untilMs: 2_000, issue: open, triggerLabels: ["triage:config"] };
  it.each([
    ["open, labelled, within its period: run", base, { run: true }],
    ["period over", { ...base, now: 2_000 }, { run: false, reason: "the watch period ended" }],
    ["closed", { ...base, issue: { ...open, state: "closed" } }, { run: false, reason: "the issue is closed" }],
    [
      "label removed",
      { ...base, issue: { ...open, labels: ["bug"] } },
      { run: false, reason: "the trigger label was removed" },
    ],
  ] as const)("%s", (_name, input, expected) => {
    expect(decideRecheck(input as Parameters<typeof decideRecheck>[0])).toEqual(expected);
  });
});

it("one watch per issue: the key names the installation, the repository (any case) and the number", () => {
  const ref = { installation: 7, owner: "Netra-Systems", repo: "Apex", number: 930 };
  expect(watchKey(ref)).toBe("7:netra-systems/apex#930");
});
