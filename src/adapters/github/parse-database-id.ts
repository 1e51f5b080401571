/**
 * A database id from GitHub's GraphQL `fullDatabaseId` (a `BigInt`, sent as a string) as a number, for the REST calls
 * that take one (`sub_issue_id`, comment ids). GitHub's ids are past 2^31 already, which is why `databaseId` (a 32-bit
 * `Int`) cannot be read; a number holds them exactly up to 2^53, and past that this refuses instead of rounding to
 * another object's id.
 */
export function parseDatabaseId(value: unknown, what: string): number {
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text !== "string" || !/^[1-9]\d*$/.test(text)) {
    throw new Error(`GitHub sent ${what} id ${JSON.stringify(value)}, which is not a database id`);
  }
  const id = Number(text);
  if (!Number.isSafeInteger(id)) {
    throw new Error(`GitHub sent ${what} id ${text}, past 2^53: this version cannot carry it exactly`);
  }
  return id;
}
