import { createHmac, timingSafeEqual } from "node:crypto";
import type { ProbotOctokit } from "probot";
import { MARKER_PREFIX, signedMarkerPattern, UNVERIFIED_PREFIX } from "../../domain/issue-state/markers.js";

/**
 * Signed markers for the Action. In a workflow the app writes as `github-actions[bot]`, and so does every other
 * workflow of the repository: one that echoes user text into a comment could forge the app's state markers. GitHub
 * records nothing on a comment that says which workflow wrote it (`performed_via_github_app` is the same shared
 * github-actions app), and the workflow token changes every run, so neither can tell the app's text from another's.
 * A key only the Action has can: a repository secret passed as the `marker-key` input. Every marker the Action sends
 * gets ` sig=<HMAC-SHA256(key, repository, marker)>`; every marker it reads must carry a valid one, else it is
 * defused (`config-triage-unverified:`) before the app sees it, so the app never trusts it.
 */
const MARKER = signedMarkerPattern();
/**
 * Every place the app's marker reader (`readMarker`) could start reading: a whole marker, or, when no whole marker
 * starts there (e.g. a forged one with a line break before its ` -->`, which JSON would still parse), its start alone.
 * The notice's bare `<!-- config-triage:notice -->` carries no state and is left alone.
 */
const READABLE = signedMarkerPattern(true);

export interface MarkerSigner {
  /** Adds (or renews) the signature of every marker in `text`. */
  sign(text: string): string;
  /** Drops valid signatures (the app reads what it wrote) and defuses every marker without a valid one. */
  verify(text: string): string;
}

/** Signs and verifies markers with HMAC-SHA256 under `key`, bound to `repository` (`owner/name`). */
export function markerSigner(key: string, repository: string): MarkerSigner {
  const mac = (kind: string, data: string) =>
    createHmac("sha256", key).update(`${repository}\n${kind} ${data}`).digest("hex");
  const valid = (kind: string, data: string, sig: string | undefined) =>
    sig !== undefined && timingSafeEqual(Buffer.from(sig, "hex"), Buffer.from(mac(kind, data), "hex"));
  return {
    sign: (text) =>
      text.replace(MARKER, (_m, kind: string, data: string) => {
        return `${MARKER_PREFIX}${kind} ${data} sig=${mac(kind, data)} -->`;
      }),
    verify: (text) =>
      text.replace(READABLE, (_m, kind: string, data: string | undefined, sig?: string) => {
        if (data === undefined) return `${UNVERIFIED_PREFIX}${kind} `;
        const verified = valid(kind, data, sig);
        return `${verified ? MARKER_PREFIX : UNVERIFIED_PREFIX}${kind} ${data} -->`;
      }),
  };
}

/** Every string in plain objects and arrays, mapped; other values (functions, signals, buffers) are kept as is. */
export function mapStrings<T>(value: T, map: (s: string) => string): T {
  if (typeof value === "string") return (value.includes(MARKER_PREFIX) ? map(value) : value) as T;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, map)) as T;
  const proto = value && typeof value === "object" ? Object.getPrototypeOf(value) : undefined;
  if (proto === Object.prototype || proto === null) {
    return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, mapStrings(v, map)])) as T;
  }
  return value;
}

/** Request options that are not content the app writes. */
const NOT_CONTENT = new Set(["method", "url", "baseUrl", "headers", "mediaType", "request"]);

/**
 * An Octokit plugin: signs the markers in everything the Action sends (REST bodies, GraphQL variables) and verifies
 * those in everything it reads. Use with `ProbotOctokit.plugin(signMarkersPlugin(signer))`.
 */
export function signMarkersPlugin(signer: MarkerSigner) {
  // Typed as Octokit's plugin parameter: only its `hook` is used.
  return (octokit: Pick<InstanceType<typeof ProbotOctokit>, "hook">) => {
    octokit.hook.wrap("request", async (request, options) => {
      // In place: before-after-hook binds the options to the hooks further in, so a new object would not reach them.
      for (const key of Object.keys(options)) {
        if (!NOT_CONTENT.has(key)) options[key] = mapStrings(options[key], signer.sign);
      }
      const response = await request(options);
      return { ...response, data: mapStrings(response.data, signer.verify) };
    });
  };
}
