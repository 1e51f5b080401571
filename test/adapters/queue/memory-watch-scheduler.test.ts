import { jest } from "@jest/globals";
import { createMemoryWatchScheduler } from "../../../src/adapters/queue/memory-watch-scheduler.js";
import { watchKey, type Watch } from "../../../src/domain/follow-up-plan/decide-watch.js";

const MIN = 60_000;
const watch = (number: number, installation = 1): Watch => ({
  installation,
  owner: "o",
  repo: "r",
  number,
  everyMs: 30 * MIN,
  untilMs: 100 * MIN,
});

describe("the in-memory watch scheduler (best effort, lost on restart)", () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it("hands a watch to onDue every interval until its end, then forgets it", async () => {
    const due: number[] = [];
    const scheduler = createMemoryWatchScheduler({ onDue: (w) => void due.push(w.number), max: 5 });
    expect(await scheduler.start(watch(930))).toEqual({ kind: "started", untilMs: 100 * MIN });
    jest.advanceTimersByTime(29 * MIN);
    expect(due).toEqual([]);
    jest.advanceTimersByTime(1 * MIN);
    expect(due).toEqual([930]);
    jest.advanceTimersByTime(60 * MIN);
    expect(due).toEqual([930, 930, 930]);
    jest.advanceTimersByTime(30 * MIN);
    expect(due).toHaveLength(3);
    expect(await scheduler.get(watchKey(watch(930)))).toBeUndefined();
  });

  it("keeps an existing watch's end unless restarted by hand", async () => {
    const scheduler = createMemoryWatchScheduler({ onDue: () => undefined, max: 5 });
    await scheduler.start(watch(930));
    expect(await scheduler.start({ ...watch(930), untilMs: 500 * MIN })).toEqual({ kind: "kept", untilMs: 100 * MIN });
    const restarted = await scheduler.start({ ...watch(930), untilMs: 500 * MIN }, { restart: true });
    expect(restarted).toEqual({ kind: "kept", untilMs: 500 * MIN });
    await scheduler.close();
  });

  it("bounds the watches of one installation, not of others", async () => {
    const scheduler = createMemoryWatchScheduler({ onDue: () => undefined, max: 2 });
    await scheduler.start(watch(1));
    await scheduler.start(watch(2));
    expect(await scheduler.start(watch(3))).toEqual({ kind: "full", max: 2 });
    expect(await scheduler.start(watch(3, 2))).toMatchObject({ kind: "started" });
    expect(await scheduler.stop(watchKey(watch(1)))).toBe(true);
    expect(await scheduler.stop(watchKey(watch(1)))).toBe(false);
    expect(await scheduler.start(watch(3))).toMatchObject({ kind: "started" });
    await scheduler.close();
  });
});
