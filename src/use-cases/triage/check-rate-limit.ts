import { readLeniently } from "../../domain/config/read-leniently.js";
import type { ParentIssue } from "../../domain/follow-up-plan/follow-up-plan.js";
import { renderRateLimitNotice } from "../../rendering/render-limits.js";
import type { ConfigRead } from "../ports/issue-github.js";
import type { RateLimitStore } from "../ports/rate-limit-store.js";
import type { TriageReads } from "../ports/triage-github.js";
import type { TriageOutcome } from "./triage-needs.js";

const HOUR = 3_600_000;

/**
 * Counts this triage against the issue's `max_triages_per_hour`. The limit is read leniently (an invalid file still
 * counts, with the default), before anything else is read, so a refused triage costs one config read.
 */
export async function checkRateLimit(
  gh: Pick<TriageReads, "owner" | "repo">,
  parent: ParentIssue,
  store: RateLimitStore,
  read: ConfigRead,
): Promise<Extract<TriageOutcome, { kind: "limited" }> | undefined> {
  const limit = readLeniently(read.kind === "found" ? read.value : undefined).maxTriagesPerHour;
  const hit = await store.hit(`${gh.owner}/${gh.repo}#${parent.number}`, HOUR);
  if (hit.count <= limit) return undefined;
  const message = renderRateLimitNotice({ number: parent.number, limit, resetInMs: hit.resetInMs, now: Date.now() });
  return { kind: "limited", message, first: hit.count === limit + 1 };
}
