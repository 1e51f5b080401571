import type { ProbotOctokit } from "probot";

type OctokitClass = typeof ProbotOctokit;

/**
 * Paces each installation on its own, as GitHub limits each installation on its own. Probot 14 keys its throttling
 * (1 s between writes, 3 s between content-creating writes) by `throttle.id`, and sets it to the installation only in
 * `probot.auth(id)`: the octokit it builds for a webhook's `context` keeps the default key, so every installation's
 * writes waited in one line (a burst across 5 installations took 4 times as long as GitHub's own pacing allows).
 * This sets the key to the installation for every Octokit authenticated as one, unless it already has one.
 */
export function pacePerInstallation(Octokit: OctokitClass): OctokitClass {
  return Octokit.defaults((options: { auth?: { installationId?: number | string }; throttle?: { id?: string } }) => {
    const installationId = options.auth?.installationId;
    if (installationId === undefined || options.throttle?.id !== undefined) return options;
    return { ...options, throttle: { ...options.throttle, id: String(installationId) } };
  }) as OctokitClass;
}
