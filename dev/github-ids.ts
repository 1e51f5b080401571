/**
 * Ids as GitHub mints them today, for the stand-in and the example webhook payloads.
 *
 * - Database ids are past 2^31 (a GraphQL `Int` cannot hold them): issues and comments past 3.5 billion, labels past
 *   2^32, repositories past 1 billion. Each kind starts in a range of its own, so mixing up an issue's id and a
 *   comment's id (or an id and a number) finds nothing instead of the wrong object.
 * - Node ids in GitHub's current format: the type's prefix, `_`, and the URL-safe base64 (no padding) of a MessagePack
 *   array `[0, ...ids]`: `[0, repositoryId, issueId]` for an issue (`I_kwDO…`), `[0, repositoryId]` for a repository
 *   (`R_kgDO…`). GitHub documents node ids as opaque; the shape is what clients see, e.g. `I_kwDOA4Vj9c5Hv3uL`.
 */

/** Where each kind of database id starts in the stand-in. */
export const FIRST_IDS = {
  repo: 1_050_000_001,
  issue: 3_650_000_001,
  comment: 3_550_000_001,
  label: 8_200_000_001,
  reaction: 2_900_000_001,
  checkRun: 2_700_000_001,
  milestone: 14_000_001,
  user: 190_000_001,
} as const;

/** The node id prefix of each GraphQL type the stand-in serves. */
export type NodeKind = "R" | "I" | "PR" | "IC" | "LA" | "U" | "BOT" | "A" | "REA" | "MI" | "CR" | "IT" | "C";

/** MessagePack of one non-negative safe integer (positive fixint, uint8/16/32/64). */
function packUint(n: number): number[] {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`node id part ${n} is not a non-negative safe integer`);
  if (n < 0x80) return [n];
  if (n < 0x100) return [0xcc, n];
  if (n < 0x10000) return [0xcd, n >> 8, n & 0xff];
  if (n < 0x100000000) return [0xce, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  const hi = Math.floor(n / 0x100000000);
  const lo = n >>> 0;
  return [
    0xcf,
    (hi >>> 24) & 0xff,
    (hi >>> 16) & 0xff,
    (hi >>> 8) & 0xff,
    hi & 0xff,
    (lo >>> 24) & 0xff,
    (lo >>> 16) & 0xff,
    (lo >>> 8) & 0xff,
    lo & 0xff,
  ];
}

/** A node id in GitHub's current format: `nodeId("I", repoId, issueId)` is `I_kwDO…`. */
export function nodeId(kind: NodeKind, ...ids: number[]): string {
  const parts = [0, ...ids];
  if (parts.length > 15) throw new Error("node id: too many parts");
  const bytes = [0x90 | parts.length, ...parts.flatMap(packUint)];
  return `${kind}_${Buffer.from(bytes).toString("base64url")}`;
}

/** The kind and the ids packed in a node id of `nodeId`'s format, or undefined for anything else. */
export function decodeNodeId(id: unknown): { kind: string; ids: number[] } | undefined {
  if (typeof id !== "string") return undefined;
  const m = /^([A-Z]+)_([A-Za-z0-9_-]+)$/.exec(id);
  if (!m) return undefined;
  const b = Buffer.from(m[2], "base64url");
  if (b.length === 0 || (b[0] & 0xf0) !== 0x90) return undefined;
  const out: number[] = [];
  let i = 1;
  try {
    for (let k = 0; k < (b[0] & 0x0f); k++) {
      const t = b[i++];
      if (t === undefined) return undefined;
      if (t < 0x80) out.push(t);
      else if (t === 0xcc) out.push(b.readUInt8(i)), (i += 1);
      else if (t === 0xcd) out.push(b.readUInt16BE(i)), (i += 2);
      else if (t === 0xce) out.push(b.readUInt32BE(i)), (i += 4);
      else if (t === 0xcf) out.push(Number(b.readBigUInt64BE(i))), (i += 8);
      else return undefined;
    }
  } catch {
    return undefined; // cut short
  }
  if (i !== b.length || out[0] !== 0) return undefined;
  return { kind: m[1], ids: out.slice(1) };
}
