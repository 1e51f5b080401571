/**
 * End to end, one instance with the in-process queue: the real server (`node dist/entry/server/main.js`), signed
 * webhooks over HTTP, the GitHub stand-in (every request checked against GitHub's OpenAPI description) and the Cloud
 * Run emulator.
 */
import { randomUUID, waitForQuiet, sleep, waitFor, type AppProcess } from "../../dev/app-server.js";
import { useE2E } from "../support/e2e-harness.js";
import { PLANTED_VALUES } from "../../dev/scenario.js";

const e2e = useE2E({ appId: 31 });
const { addRepo, labeled, appComments, followUps } = e2e;
let app: AppProcess;

beforeAll(async () => {
  app = await e2e.start();
});

afterEach(() => {
  const sent = e2e.github.requests.map((r) => JSON.stringify(r.body ?? "")).join("\n") + app.logs.join("");
  for (const value of PLANTED_VALUES) expect(sent).not.toContain(value);
});

describe("the real server, one instance", () => {
  it("refuses a missing or wrong signature before parsing, and changes nothing", async () => {
    addRepo("unsigned");
    const before = e2e.github.requests.length;
    expect(await app.deliver("issues", labeled("unsigned"), { signature: null })).toBe(400);
    expect(await app.deliver("issues", labeled("unsigned"), { secret: "not-the-secret" })).toBe(401);
    expect(await app.deliver("issues", labeled("unsigned"), { signature: "sha256=zz" })).toBe(401);
    await sleep(500);
    expect(e2e.github.requests.length).toBe(before);
  });

  it("answers at once, triages the canonical issue, and ignores a redelivery of the same delivery", async () => {
    addRepo("canonical");
    const delivery = randomUUID();
    expect(await app.deliver("issues", labeled("canonical"), { delivery })).toBe(202);
    // Answered before the triage wrote anything: the work happens after the acknowledgement.
    expect(appComments("canonical")).toHaveLength(0);
    const comment = await waitFor("the diagnosis comment", () => appComments("canonical")[0]);
    expect(comment.body).toContain("JWT_SECRET_STAGING");
    const parent = e2e.parent("canonical");
    expect(followUps("canonical")).toHaveLength(4);
    expect(followUps("canonical").every((f) => f.parent === parent.id)).toBe(true);

    const before = e2e.github.requests.length;
    expect(await app.deliver("issues", labeled("canonical"), { delivery })).toBe(200);
    await sleep(1500);
    expect(e2e.github.requests.length).toBe(before);
    expect(appComments("canonical")).toHaveLength(1);
  }, 90_000);

  it("two events for one issue at once give one comment and one copy of each follow-up", async () => {
    addRepo("twice");
    const statuses = await Promise.all([
      app.deliver("issues", labeled("twice")),
      app.deliver("issues", labeled("twice")),
    ]);
    expect(statuses).toEqual([202, 202]);
    await waitFor("the diagnosis comment", () => appComments("twice")[0]);
    await waitForQuiet(() => e2e.github.requests.length);
    expect(appComments("twice")).toHaveLength(1);
    expect(
      followUps("twice")
        .map((f) => f.title)
        .sort(),
    ).toEqual([...new Set(followUps("twice").map((f) => f.title))].sort());
    expect(followUps("twice")).toHaveLength(4);
  }, 120_000);
});
