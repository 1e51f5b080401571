import nock from "nock";
import { watchKey } from "../../../src/domain/follow-up-plan/decide-watch.js";
import { createMemoryWatchScheduler } from "../../../src/adapters/queue/memory-watch-scheduler.js";
import type { WatchScheduler } from "../../../src/use-cases/triage/watch-scheduler.js";
import { INSTALLATION_ID } from "../../../dev/webhook-payloads.js";
import { scenarioConfigYaml } from "../../../dev/scenario.js";
import {
  API,
  app,
  commentEvent,
  mockConfig,
  mockReactions,
  mockReply,
  owner,
  REPO,
  repo,
  useCommandTestEnvironment,
  WRITE_ROLE,
} from "./harness.js";

useCommandTestEnvironment();

const KEY = watchKey({ installation: INSTALLATION_ID, owner, repo, number: 930 });
const DAY = 86_400_000;
let scheduler: WatchScheduler;

beforeEach(() => {
  // Never due within a test: what is asserted is what the scheduler holds.
  scheduler = createMemoryWatchScheduler({ onDue: () => undefined, max: 2 });
});
afterEach(() => scheduler.close());

/** Runs one command comment by a triager; returns the reply. */
async function command(body: string, o: { config?: string; final?: "rocket" | "confused"; deps?: object } = {}) {
  const reply: { body?: string } = {};
  const scope = nock(API);
  mockConfig(scope, o.config);
  mockReactions(scope, o.final ?? "rocket");
  scope.get(`${REPO}/collaborators/maintainer/permission`).reply(200, WRITE_ROLE);
  mockReply(scope, reply);
  await app({ watches: scheduler, watchMinEveryMs: 5 * 60_000, ...o.deps }).receive(commentEvent({ body }));
  return reply.body;
}

describe("/triage watch and /triage unwatch", () => {
  it("watch: starts a watch with the defaults (every 30m for 7d) and says until when", async () => {
    const before = Date.now();
    const reply = await command("/triage watch");
    const watch = await scheduler.get(KEY);
    expect(watch).toMatchObject({ installation: INSTALLATION_ID, owner, repo, number: 930, everyMs: 30 * 60_000 });
    expect(watch!.untilMs).toBeGreaterThanOrEqual(before + 7 * DAY);
    expect(reply).toMatch(
      /^Watching #930 \(`maintainer`, `\/triage watch`\): rechecked every 30m until \d{4}-\d\d-\d\d \d\d:\d\d UTC\. /,
    );
    expect(reply).toContain("`/triage unwatch` stops it.");
  });

  it("watch: takes the config's `watch:` timing", async () => {
    await command("/triage watch", { config: `${scenarioConfigYaml}watch:\n  every: 2h\n  for: 3d\n` });
    expect(await scheduler.get(KEY)).toMatchObject({ everyMs: 2 * 3_600_000 });
  });

  it("watch: refuses an interval below the deployment's minimum, with the fix", async () => {
    const reply = await command("/triage watch", {
      config: `${scenarioConfigYaml}watch:\n  every: 1m\n`,
      final: "confused",
    });
    expect(reply).toContain(
      "😕 config error: `watch.every` is `1m`: rechecks are at least `5m` apart on this deployment; " +
        "use `every: 5m` or more",
    );
    expect(await scheduler.get(KEY)).toBeUndefined();
  });

  it("watch: refused when the installation watches its maximum already", async () => {
    for (const n of [1, 2])
      await scheduler.start({ installation: INSTALLATION_ID, owner, repo, number: n, everyMs: DAY, untilMs: 2 * DAY });
    const reply = await command("/triage watch", { final: "confused" });
    expect(reply).toContain(
      "😕 not watched: this installation already watches 2 issues, the deployment's `CONFIG_TRIAGE_MAX_WATCHES`",
    );
  });

  it("watch: where there is no scheduler (the Action, the CLI), says so", async () => {
    const reply = await command("/triage watch", { final: "confused", deps: { watches: undefined } });
    expect(reply).toContain("😕 watches are not available here");
  });

  it("unwatch: stops the watch", async () => {
    await scheduler.start({ installation: INSTALLATION_ID, owner, repo, number: 930, everyMs: DAY, untilMs: 2 * DAY });
    const reply = await command("/triage unwatch");
    expect(reply).toBe("Stopped watching #930 (`maintainer`, `/triage unwatch`).");
    expect(await scheduler.get(KEY)).toBeUndefined();
  });

  it("unwatch: an issue that is not watched gets a clear answer", async () => {
    const reply = await command("/triage unwatch", { final: "confused" });
    expect(reply).toContain("😕 #930 is not watched");
  });
});
