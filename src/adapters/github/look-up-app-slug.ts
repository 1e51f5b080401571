import type { Context } from "probot";
import type { AppIdentity } from "../../domain/issue-state/markers.js";

/** The app's slug per app id, looked up once per process (`GET /app`, authenticated as the app). */
const slugs = new Map<number, Promise<string | undefined>>();

/** The app's slug, to tell its own comments and follow-ups by their author (undefined when the identity says it). */
export function appSlugOf(context: Pick<Context, "octokit">, identity: AppIdentity): Promise<string | undefined> {
  if (identity.appSlug) return Promise.resolve(identity.appSlug);
  if (identity.botLogin || identity.appId === undefined) return Promise.resolve(undefined);
  let slug = slugs.get(identity.appId);
  if (!slug) {
    const appId = identity.appId;
    // Probot's app authentication answers `/app` with the app's JWT by itself.
    slug = context.octokit.request("GET /app").then((r) => (r.data as { slug?: string } | null)?.slug);
    slug.catch(() => slugs.delete(appId));
    slugs.set(appId, slug);
  }
  return slug;
}
