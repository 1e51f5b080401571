import { generateKeyPairSync } from "node:crypto";
import { Probot, ProbotOctokit } from "probot";
import type { ApplicationFunction } from "probot";
import { EXAMPLE_SENDER } from "../../dev/webhook-payloads.js";

/** A throwaway RSA key: Probot signs its app JWT with it. */
export const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs1", format: "pem" })
  .toString();

export const APP_ID = 4242;

/** A Probot instance for `probot.receive` tests: no throttling or retries, so tests see each request once. */
export function testProbot(app: ApplicationFunction): Probot {
  const probot = new Probot({
    appId: APP_ID,
    privateKey,
    logLevel: "fatal",
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      // A function, not an object: Probot layers its own throttle options on top of plain defaults.
      retry: { enabled: false },
      throttle: { enabled: false },
    })),
  });
  void probot.load(app);
  return probot;
}

/** The collaborator permission answer for someone with the triage role (what the trigger label needs by default). */
export const TRIAGE_PERMISSION = {
  permission: "read",
  role_name: "triage",
  user: {
    login: EXAMPLE_SENDER,
    permissions: { pull: true, triage: true, push: false, maintain: false, admin: false },
  },
};
