import { describe, expect, it } from "@jest/globals";
import { parseDatabaseId } from "../../../src/adapters/github/parse-database-id.js";

describe("parseDatabaseId (GraphQL fullDatabaseId, a BigInt sent as a string)", () => {
  it.each([
    ["an issue id of today", "3650000001", 3_650_000_001],
    ["a label id past 2^32", "8200000001", 8_200_000_001],
    ["the largest id a number holds exactly", "9007199254740991", Number.MAX_SAFE_INTEGER],
    ["a number (a server that sends one)", 3_650_000_001, 3_650_000_001],
  ])("reads %s", (_name, value, expected) => {
    expect(parseDatabaseId(value, "an issue")).toBe(expected);
  });

  it.each([
    [
      "past 2^53 (it would round to another id)",
      "9007199254740993",
      "GitHub sent an issue id 9007199254740993, past 2^53: this version cannot carry it exactly",
    ],
    ["not a number", "I_kwDOA", 'GitHub sent an issue id "I_kwDOA", which is not a database id'],
    [
      "missing (a server without fullDatabaseId)",
      undefined,
      "GitHub sent an issue id undefined, which is not a database id",
    ],
    ["negative", "-1", 'GitHub sent an issue id "-1", which is not a database id'],
  ])("refuses an id %s", (_name, value, message) => {
    expect(() => parseDatabaseId(value, "an issue")).toThrow(message);
  });
});
