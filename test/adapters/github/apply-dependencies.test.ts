import { describe, expect, it } from "@jest/globals";
import { applyDependencies } from "../../../src/adapters/github/issue-github.js";
import type { DependencyLink } from "../../../src/use-cases/ports/issue-github.js";

/** A fake of the two dependency calls over an in-memory map; `fail` answers a call with an HTTP error instead. */
function fakeGitHub(
  recorded: Record<number, number[]> = {},
  fail?: { status: number; message: string; on?: "list" | "add" },
) {
  const calls: string[] = [];
  const error = () =>
    Object.assign(new Error(fail!.message), { status: fail!.status, response: { data: { message: fail!.message } } });
  return {
    calls,
    recorded,
    async listBlockedBy(number: number) {
      calls.push(`GET ${number}`);
      if (fail && fail.on !== "add") throw error();
      return (recorded[number] ?? []).map((id) => ({ id, number: id - 9000 }));
    },
    async addBlockedBy(number: number, blockingId: number) {
      calls.push(`POST ${number} <- ${blockingId}`);
      if (fail && fail.on !== "list") throw error();
      (recorded[number] ??= []).push(blockingId);
    },
  };
}

const link = (blocked: number, blocking: number, fresh: boolean): DependencyLink => ({
  blocked: { number: blocked, id: 9000 + blocked, fresh },
  blocking: { number: blocking, id: 9000 + blocking },
});

describe("applyDependencies", () => {
  it("links a follow-up created now with one request per link, without reading first", async () => {
    const gh = fakeGitHub();
    const result = await applyDependencies(gh, [link(933, 932, true), link(933, 931, true)]);
    expect(gh.calls).toEqual(["POST 933 <- 9932", "POST 933 <- 9931"]);
    expect(result.made).toHaveLength(2);
  });

  it("reads an older follow-up's dependencies once and sends none that exist (a rerun)", async () => {
    const gh = fakeGitHub({ 933: [9932] });
    const result = await applyDependencies(gh, [link(933, 932, false), link(933, 931, false)]);
    expect(gh.calls).toEqual(["GET 933", "POST 933 <- 9931"]);
    expect(result.found.map((l) => l.blocking.number)).toEqual([932]);
    expect(result.made.map((l) => l.blocking.number)).toEqual([931]);
  });

  it("on a GitHub without issue dependencies (404), reports every link and tries no more", async () => {
    const gh = fakeGitHub({}, { status: 404, message: "Not Found" });
    const result = await applyDependencies(gh, [link(933, 932, true), link(934, 932, true)]);
    expect(gh.calls).toEqual(["POST 933 <- 9932"]);
    expect(result.failed.map((f) => f.reason)).toEqual([
      "HTTP 404 Not Found: this GitHub has no issue dependencies (GitHub Enterprise Server before 3.19), or the app " +
        "cannot see the issues",
      "HTTP 404 Not Found: this GitHub has no issue dependencies (GitHub Enterprise Server before 3.19), or the app " +
        "cannot see the issues",
    ]);
  });

  it("without permission (403), reports the link and goes on with the next", async () => {
    const gh = fakeGitHub({}, { status: 403, message: "Resource not accessible by integration" });
    const result = await applyDependencies(gh, [link(933, 932, true), link(934, 932, true)]);
    expect(gh.calls).toHaveLength(2);
    expect(result.failed[0].reason).toBe(
      "HTTP 403 Resource not accessible by integration: the app may not write issue dependencies here (it needs the " +
        "Issues write permission)",
    );
  });

  it.each([
    ["a server error (the write may have happened: the run is retried, and reads first)", 502, "Bad Gateway"],
    ["a secondary rate limit", 403, "You have exceeded a secondary rate limit"],
  ])("throws %s", async (_name, status, message) => {
    const gh = fakeGitHub({}, { status, message });
    await expect(applyDependencies(gh, [link(933, 932, true)])).rejects.toThrow(message);
  });
});
