import { createSerialQueue } from "../../../src/use-cases/slash-commands/serial-queue.js";

describe("createSerialQueue", () => {
  it("runs a key's jobs one at a time, in order, other keys alongside; a failure does not block the next", async () => {
    const queue = createSerialQueue();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = queue.run("a", async () => {
      log.push("a1 start");
      await gate;
      log.push("a1 end");
      throw new Error("boom");
    });
    const second = queue.run("a", async () => void log.push("a2"));
    const other = queue.run("b", async () => void log.push("b1"));
    await other;
    expect(log).toEqual(["a1 start", "b1"]);
    release();
    await expect(first).rejects.toThrow("boom");
    await second;
    expect(log).toEqual(["a1 start", "b1", "a1 end", "a2"]);
    await new Promise((r) => setImmediate(r));
    expect(queue.busy).toBe(0);
  });
});
