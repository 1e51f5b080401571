import { z } from "zod";
import type { Proposal, Review } from "../follow-up-plan/to-proposal.js";

/**
 * The one module that knows the app's hidden markers and the state it keeps on an issue. Everything the app remembers
 * between runs lives in HTML comments in text it wrote: the diagnosis state in its comment, the follow-up marker in
 * each follow-up's body, one-time notices. A marker is trusted only in text the app itself authored (see
 * `isAppAuthored`): anyone can paste one into an issue.
 *
 * Each marker's data is validated (zod) when read. The diagnosis state carries its version `v`; follow-up and notice
 * markers carry none (version 1) and may carry `v: 1`. A marker of an unknown version, or one that does not parse or
 * validate, is ignored (as if absent) with a log line; it never throws.
 */
export const MARKER_PREFIX = "<!-- config-triage:";
export const MARKER_KINDS = ["diagnosis", "follow-up", "notice"] as const;
export type MarkerKind = (typeof MARKER_KINDS)[number];

/** The start of a marker of `kind`, up to its data: where the app's own section of its diagnosis comment starts. */
export const markerStart = (kind: MarkerKind) => `${MARKER_PREFIX}${kind} `;
/** The start of the app's own section in its diagnosis comment. */
export const DIAGNOSIS_START = markerStart("diagnosis");
/** The end of the app's own section of a comment or body (see `replaceOwnSection`). */
export const OWN_END = `${MARKER_PREFIX}end -->`;
/** The "could not finish" block in the app's comment: these two lines frame it (it carries no state). */
export const NOTICE_START = `${MARKER_PREFIX}notice -->`;
export const NOTICE_END = "<!-- /config-triage:notice -->";
/** What the Action turns a marker it did not sign into, so the app never reads it (see `sign-markers.ts`). */
export const UNVERIFIED_PREFIX = "<!-- config-triage-unverified:";
/** Every marker of the app, the section and notice frames included: what a cut must never split or drop. */
export const ANY_MARKER = /<!-- \/?config-triage:[^\n]*?-->/g;
/**
 * A marker with data, in three groups: kind, data and signature (the Action's ` sig=<hex>`). `signedMarkerPattern`
 * with `loose` also matches a marker's start when no whole marker starts there (a forged one with a line break before
 * its ` -->`, which JSON would still parse), with the data group then undefined; a bare frame never matches.
 */
export function signedMarkerPattern(loose = false): RegExp {
  const kinds = MARKER_KINDS.join("|");
  const whole = `([^\\n]*?)(?: sig=([0-9a-f]{64}))? -->`;
  return new RegExp(`<!-- config-triage:(${kinds}) ${loose ? `(?!-->)(?:${whole})?` : whole}`, "g");
}

/** The state the app keeps in its diagnosis comment; `v` is its version. */
export interface DiagnosisState {
  /** 1: written before `kinds` was recorded (and by a run that could not finish); 2: with `kinds`. */
  v: 1 | 2;
  /** `blockedBy`: the follow-ups recorded as blocking this one (issue dependencies), so a rerun sends none again. */
  followUps: Array<{ template: string; number: number; id: number; node_id?: string; blockedBy?: number[] }>;
  problems: string[];
  /** The kinds of problem the version that wrote `problems` could report (`PROBLEM_KINDS`); absent in version 1. */
  kinds?: string[];
  /**
   * The proposal last shown by `/triage plan` (or the review-mode label), for `/triage apply` to check against. The
   * field keeps the name `plan`: stored markers use it.
   */
  plan?: Proposal;
  /** Maintainers' reviews of follow-ups, by template. A rejection is remembered here for good. */
  reviews?: Record<string, Review>;
  /** What follow-ups did not get when they were opened (a milestone or type), one line each. */
  notSet?: string[];
  /** The fix follow-ups the app closed because their checks passed: `/triage reopen` reopens them with the issue. */
  autoClosed?: number[];
}

/**
 * The marker at the top of a follow-up's body: which parent and template it belongs to, and whether it was rejected.
 */
export interface FollowUpMarker {
  parent: number;
  template: string;
  rejected?: boolean;
  /**
   * A fix follow-up's problems (`closes_when_fixed`): each one's key, a phrase naming it and its checklist line's
   * start. It closes when they all pass.
   */
  fixes?: Array<{ key: string; subject: string; what: string }>;
}

/** What a one-time notice is about, e.g. `{ notice: "label-role" }`. */
export type NoticeKey = Record<string, string>;

/** Where an ignored marker is reported (the app's logger); nothing of the marker's text is logged. */
export interface MarkerLog {
  warn(obj: object, msg?: string): void;
}

// Loose objects: fields a later release adds survive a rewrite by this one.
const issueNumber = z.number().int().positive();
const ProposalSchema = z.looseObject({
  id: z.string(),
  config: z.string(),
  problems: z.array(z.string()),
  items: z.array(
    z.looseObject({
      template: z.string(),
      title: z.string(),
      labels: z.array(z.string()),
      assignees: z.array(z.string()),
      action: z.enum(["create", "exists", "rejected"]),
      number: issueNumber.optional(),
      blockedBy: z.array(z.string()).optional(),
      milestone: z.string().optional(),
      type: z.string().optional(),
      notes: z.array(z.string()).optional(),
    }),
  ),
});
const StateFields = {
  followUps: z.array(
    z.looseObject({
      template: z.string(),
      number: issueNumber,
      id: z.number().int().positive(),
      node_id: z.string().optional(),
      blockedBy: z.array(issueNumber).optional(),
    }),
  ),
  problems: z.array(z.string()),
  kinds: z.array(z.string()).optional(),
  plan: ProposalSchema.optional(),
  reviews: z.record(z.string(), z.enum(["approved", "rejected"])).optional(),
  notSet: z.array(z.string()).optional(),
  autoClosed: z.array(issueNumber).optional(),
};
/** By version: a version missing here is unknown (written by a newer release) and ignored. */
const STATE_VERSIONS: Record<number, z.ZodType> = {
  1: z.looseObject({ v: z.literal(1), ...StateFields }),
  2: z.looseObject({ v: z.literal(2), ...StateFields }),
};
const FollowUpSchema = z.looseObject({
  v: z.literal(1).optional(),
  parent: issueNumber,
  template: z.string().min(1),
  rejected: z.boolean().optional(),
  fixes: z.array(z.looseObject({ key: z.string(), subject: z.string(), what: z.string() })).optional(),
});
const NoticeSchema = z.record(z.string(), z.string());

/** Writes a marker of `kind` carrying `data` as JSON, safe inside an HTML comment. */
export function writeMarker(kind: MarkerKind, data: object): string {
  // `--` may not appear inside an HTML comment; JSON can carry it as \u002d\u002d.
  const json = JSON.stringify(data).replace(/--/g, "\\u002d\\u002d").replace(/>/g, "\\u003e");
  return `${MARKER_PREFIX}${kind} ${json} -->`;
}

/**
 * The raw data of the first marker of `kind` in `body`, unvalidated; undefined when there is none or its JSON does not
 * parse. The app reads its markers through the validated readers below; this is their codec (and the tests').
 */
export function readMarker<T = Record<string, unknown>>(
  kind: MarkerKind,
  body: string | null | undefined,
): T | undefined {
  return readRaw(kind, body).data as T | undefined;
}

function readRaw(kind: MarkerKind, body: string | null | undefined): { found: boolean; data?: unknown } {
  if (!body) return { found: false };
  const start = body.indexOf(markerStart(kind));
  if (start < 0) return { found: false };
  const end = body.indexOf(" -->", start);
  if (end < 0) return { found: true };
  try {
    return { found: true, data: JSON.parse(body.slice(start + markerStart(kind).length, end)) };
  } catch {
    return { found: true };
  }
}

/** The first marker of `kind`, validated by `schema`; undefined (and logged when one was there) otherwise. */
function readValid(
  kind: MarkerKind,
  body: string | null | undefined,
  schemaOf: (data: unknown) => z.ZodType | string,
  log: MarkerLog | undefined,
): unknown {
  const raw = readRaw(kind, body);
  if (!raw.found) return undefined;
  const ignore = (why: string) => void log?.warn({ marker: kind, why }, "ignored a config-triage marker");
  if (raw.data === undefined) return ignore("its data is not JSON");
  const schema = schemaOf(raw.data);
  if (typeof schema === "string") return ignore(schema);
  const parsed = schema.safeParse(raw.data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return ignore(`${issue.path.join(".") || "its data"}: ${issue.message}`.slice(0, 200));
}

/** The diagnosis state in `body`, if it has a valid one of a known version. */
export function readDiagnosisState(body: string | null | undefined, log?: MarkerLog): DiagnosisState | undefined {
  const schemaOf = (data: unknown) => {
    const v = (data as { v?: unknown } | null)?.v;
    return (typeof v === "number" && STATE_VERSIONS[v]) || `unknown state version ${JSON.stringify(v)?.slice(0, 20)}`;
  };
  return readValid("diagnosis", body, schemaOf, log) as DiagnosisState | undefined;
}

/** The follow-up marker in `body`, if it has a valid one. */
export function readFollowUpMarker(body: string | null | undefined, log?: MarkerLog): FollowUpMarker | undefined {
  return readValid("follow-up", body, () => FollowUpSchema, log) as FollowUpMarker | undefined;
}

/** The notice marker in `body`, if it has a valid one. */
export function readNoticeMarker(body: string | null | undefined, log?: MarkerLog): NoticeKey | undefined {
  return readValid("notice", body, () => NoticeSchema, log) as NoticeKey | undefined;
}

/** The marker that remembers the diagnosis state. */
export const diagnosisStateMarker = (state: DiagnosisState) => writeMarker("diagnosis", state);
/** The marker of a follow-up's body. */
export const followUpMarker = (marker: FollowUpMarker) => writeMarker("follow-up", marker);
/** The marker that remembers a notice; it opens the comment that says it. */
export const noticeMarker = (key: NoticeKey) => writeMarker("notice", key);

/** `body` with its first whole marker of `kind` replaced by one carrying `data` (unchanged when it has none). */
export function replaceMarker(body: string, kind: MarkerKind, data: object): string {
  return body.replace(new RegExp(`${markerStart(kind)}[^\\n]*? -->`), () => writeMarker(kind, data));
}

/** The state a run records when it has none yet (a first run that could not finish, or a config error). */
export const emptyState = (): DiagnosisState => ({ v: 1, followUps: [], problems: [] });

/** Who the app is on GitHub: as an App (id) or, in a workflow, as the token's bot login. */
export interface AppIdentity {
  appId?: number;
  botLogin?: string;
  /** The app's slug (its bot is `${slug}[bot]`); GraphQL names authors by login only. Looked up once when unset. */
  appSlug?: string;
}

export interface Authored {
  user?: { login?: string; type?: string } | null;
  performed_via_github_app?: { id?: number } | null;
}

/** True when the app itself wrote this comment or issue. */
export function isAppAuthored(item: Authored, identity: AppIdentity): boolean {
  if (identity.appId !== undefined && item.performed_via_github_app?.id === identity.appId) return true;
  return Boolean(identity.botLogin && item.user?.login === identity.botLogin && item.user?.type === "Bot");
}
