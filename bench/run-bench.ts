/**
 * `npm run bench`: what a triage costs, measured on the real server (`src/entry/server/main.ts`, with Probot's default
 * throttling) against the GitHub stand-in and the Cloud Run emulator on loopback, next to its baselines in the same
 * run:
 *
 * - the plain REST way (the same server with CONFIG_TRIAGE_GITHUB_API=rest): requests, writes and time per triage;
 * - the REST fallback of the GraphQL transport (the stand-in refuses GraphQL with a 403);
 * - a bare Probot app that does nothing: acknowledgement time under a burst of concurrent deliveries, peak RSS;
 * - a naive Cloud Run check (one GetService per service): calls for 20 services in one region;
 * - a naive Secret Manager check of the same 20 services (GetSecret, GetSecretVersion and GetIamPolicy per service);
 * - a burst of triages across installations (50 across 5 by default), against the bound Probot's pacing sets.
 *
 * Prints one table. Environment: BENCH_LATENCY_MS (GitHub stand-in answer delay, default 100), BENCH_DELIVERIES
 * (burst size, default 200), BENCH_CLOUD_RUN_LATENCY_MS (default 0). BENCH_ONLY=calls measures only the Cloud Run and
 * Secret Manager calls (a few seconds instead of minutes); BENCH_ONLY=burst only the burst (BENCH_BURST_REPOS,
 * BENCH_BURST_PER_REPO, BENCH_BURST_CONCURRENCY; BENCH_TRACE=1 prints every GitHub request of it, by installation).
 */
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { appEnv, randomUUID, sleep, startApp, waitFor, type AppProcess } from "../dev/app-server.js";
import { startCloudRunEmulator, type CloudRunEmulator } from "../dev/cloud-run-emulator.js";
import { buildService } from "../dev/cloud-run-fixtures.js";
import { startSecretManagerEmulator } from "../dev/secret-manager-emulator.js";
import { startGitHubStandIn, type GitHubStandIn, type RecordedRequest } from "../dev/github-standin.js";
import { EXAMPLE_SENDER, labeledPayload } from "../dev/webhook-payloads.js";
import { SCENARIO_REPO, scenarioConfigYaml, scenarioIssue, scenarioServices } from "../dev/scenario.js";
import { addScenarioMilestones } from "../dev/scenario-structure.js";

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 100);
const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 200);
const CLOUD_RUN_LATENCY_MS = Number(process.env.BENCH_CLOUD_RUN_LATENCY_MS ?? 0);
const BURST_REPOS = Number(process.env.BENCH_BURST_REPOS ?? 5);
const BURST_PER_REPO = Number(process.env.BENCH_BURST_PER_REPO ?? 10);
/** The queue bound of the burst's server (QUEUE_CONCURRENCY), as the end-to-end burst test sets it. */
const BURST_CONCURRENCY = Number(process.env.BENCH_BURST_CONCURRENCY ?? 10);
const SECRET = `bench-${randomUUID()}`;
const FULL = `${SCENARIO_REPO.owner}/${SCENARIO_REPO.repo}`;

type Server = AppProcess;

/**
 * Starts a server script (the app's `src/entry/server/main.ts`, or the bare Probot app) against a stand-in, through
 * tsx.
 */
function startServer(
  script: string,
  github: GitHubStandIn,
  cloudRun: CloudRunEmulator,
  env: Record<string, string> = {},
): Promise<Server> {
  return startApp({
    mode: "tsx",
    script,
    ready: "any",
    env: appEnv(
      { appId: 1, githubHost: github.host, cloudRunAddress: cloudRun.address, secret: SECRET },
      { LOG_LEVEL: "error", ...env },
    ),
  });
}

const stop = (server: Server) => server.kill();

/** Peak resident set size of a process so far (VmHWM), in MiB. */
function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/** Sends a signed `issues.labeled` delivery; resolves with the status and the time to the answer. */
async function deliver(
  server: Server,
  o: { number?: number; title?: string; installation?: number } = {},
): Promise<{ status: number; ms: number }> {
  const payload = labeledPayload({
    ...SCENARIO_REPO,
    ...scenarioIssue,
    number: o.number ?? scenarioIssue.number,
    title: o.title ?? scenarioIssue.title,
    label: "triage:config",
  });
  payload.installation.id = o.installation ?? 1;
  const t0 = performance.now();
  const status = await server.deliver("issues", payload);
  return { status, ms: performance.now() - t0 };
}

/** A stand-in holding the scenario's repository and issue #930, with `followUps` follow-up templates configured. */
async function scenarioStandIn(followUps: number, opts: { refuseGraphql?: boolean } = {}): Promise<GitHubStandIn> {
  const github = await startGitHubStandIn({ appId: 1, latencyMs: LATENCY_MS, checkResponses: false });
  const files: Record<string, string> = { ".github/config-triage.yml": scenarioConfigYaml };
  for (let i = 0; i < followUps - 4; i++) {
    files[`.github/config-triage/extra-${i}.md`] =
      `---\ntitle: "Extra follow-up ${i} of #{{parent.number}}"\nlabels: ["config-triage"]\n---\nMore work ` +
      `split out of #{{parent.number}}.\n`;
    files[".github/config-triage.yml"] += `  - extra-${i}\n`;
  }
  // An organisation's repository: issue types, and two sprints as milestones (the built-in templates ask for both).
  github.addRepo(FULL, {
    files,
    collaborators: { [EXAMPLE_SENDER]: "triage" },
    issueTypes: ["Task", "Bug", "Feature"],
  });
  addScenarioMilestones(github, FULL);
  github.addIssue(FULL, {
    number: scenarioIssue.number,
    title: scenarioIssue.title,
    body: scenarioIssue.body,
    user: { login: "sre-lead", type: "User" },
  });
  if (opts.refuseGraphql) {
    // A token that may not use GraphQL (or an installation without it): GitHub answers 403.
    github.fault({
      method: "POST",
      path: /graphql$/,
      status: 403,
      times: Infinity,
      body: { message: "Resource not accessible by integration", documentation_url: "https://docs.github.com/graphql" },
    });
  }
  return github;
}

const isMutation = (r: RecordedRequest) =>
  r.operationId === "graphql" && /^\s*mutation\b/.test(String((r.body as { query?: string })?.query));
const isWrite = (r: RecordedRequest) =>
  r.operationId === "graphql" ? isMutation(r) : r.method !== "GET" && !r.path.endsWith("/access_tokens");

const isDependency = (r: RecordedRequest) => r.path.includes("/dependencies/");
const isStructureRead = (r: RecordedRequest) => r.method === "GET" && /\/(milestones|issue-types)$/.test(r.path);

interface TriageFigures {
  ms: number;
  requests: number;
  writes: number;
  repeatWrites: number;
  repeatRequests: number;
  /** Requests to the issue-dependency endpoints: first run, repeated run, and a run that lost the app's comment. */
  dependencyRequests: [number, number, number];
  /** Links recorded on the stand-in after the three runs. */
  links: number;
  /** Milestone and issue-type reads of the first run. */
  structureReads: number;
  violations: string[];
}

/** Triages the server has finished, from its Prometheus endpoint (`config_triage_triages_total`, all outcomes). */
async function triagesFinished(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith("config_triage_triages_total{"))
    .reduce((sum, line) => sum + Number(line.split(" ").pop()), 0);
}

/** One full triage of the scenario (and a repeated one) on a fresh server and stand-in. */
async function measureTriage(server: Server, github: GitHubStandIn, followUps: number): Promise<TriageFigures> {
  const parent = () => github.issue(FULL, scenarioIssue.number)!;
  const done = () =>
    parent().comments.some((c) => c.body.includes("config-triage:diagnosis")) &&
    github.issues(FULL).filter((i) => i.parent === parent().id).length === followUps &&
    github.requests.every((r) => r.status !== 0);
  const t0 = performance.now();
  void deliver(server);
  await waitFor(`the triage of ${followUps} follow-ups`, () => done() || undefined, 150_000, 10);
  const ms = performance.now() - t0;
  await sleep(300); // late labelling writes, if any, land before counting
  const first = github.requests.splice(0);
  // The server answers as soon as the delivery is queued: the repeated run is over when its triage is counted.
  const before = await triagesFinished(server.port);
  const answer = await deliver(server);
  if (answer.status !== 202 && answer.status !== 200) throw new Error(`the repeated run answered ${answer.status}`);
  const until = Date.now() + 60_000;
  while ((await triagesFinished(server.port)) <= before) {
    if (Date.now() > until) throw new Error("timed out waiting for the repeated run");
    await sleep(20);
  }
  await sleep(300); // a write after the count, if any, lands before counting
  const repeat = github.requests.splice(0);
  // A run that died before writing its comment: the next one has no record of the links and must find them on GitHub.
  parent().comments = parent().comments.filter((c) => !c.body.includes("config-triage:diagnosis"));
  const beforeLost = await triagesFinished(server.port);
  await deliver(server);
  await waitFor(
    "the run without a comment",
    async () => ((await triagesFinished(server.port)) > beforeLost ? true : undefined),
    60_000,
    20,
  );
  await sleep(300);
  const lost = github.requests.splice(0);
  const links = github.issues(FULL).reduce((n, i) => n + (i.blocked_by?.length ?? 0), 0);
  return {
    ms,
    requests: first.length,
    writes: first.filter(isWrite).length,
    repeatWrites: repeat.filter(isWrite).length,
    repeatRequests: repeat.length,
    dependencyRequests: [
      first.filter(isDependency).length,
      repeat.filter(isDependency).length,
      lost.filter(isDependency).length,
    ],
    links,
    structureReads: first.filter(isStructureRead).length,
    violations: github.violations,
  };
}

/** The acknowledgement of `n` concurrent deliveries (each for its own issue), and the server's peak RSS through it. */
async function measureBurst(
  server: Server,
  github: GitHubStandIn,
  n: number,
): Promise<{ p50: number; p99: number; statuses: string; rssMiB: number }> {
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) => deliver(server, { number: 2000 + i, title: `Burst ${i}` })),
  );
  const times = results.map((r) => r.ms).sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)];
  const statuses = Object.entries(
    results.reduce<Record<number, number>>((m, r) => {
      m[r.status] = (m[r.status] ?? 0) + 1;
      return m;
    }, {}),
  )
    .map(([s, c]) => `${c}×${s}`)
    .join(" ");
  void github;
  return { p50: pct(50), p99: pct(99), statuses, rssMiB: peakRssMiB(server.child.pid!) };
}

function burstStandIn(): Promise<GitHubStandIn> {
  return scenarioStandIn(4).then((github) => {
    for (let i = 0; i < DELIVERIES; i++)
      github.addIssue(FULL, {
        number: 2000 + i,
        title: `Burst ${i}`,
        body: "`JWT_SECRET_STAGING` fails",
        user: { login: "sre-lead", type: "User" },
      });
    return github;
  });
}

/** Installation tokens the stand-in mints read `ghs_standin<installation id>x…`. */
const installationOfRequest = (r: RecordedRequest) => /ghs_standin(\d+)x/.exec(r.headers.authorization ?? "")?.[1];
/** Probot's throttling spaces these 1 s apart per installation: every GraphQL request and every REST write. */
const isPaced = (r: RecordedRequest) => r.method !== "GET" && !r.path.endsWith("/access_tokens");
/** ... and these content-creating REST writes 3 s apart (the plugin's list, for the paths this app writes). */
const isNotifying = (r: RecordedRequest) =>
  r.method === "POST" && /^\/repos\/[^/]+\/[^/]+\/issues(\/\d+\/(comments|sub_issues))?$/.test(r.path);

interface TriageBurstFigures {
  ms: number;
  triages: number;
  installations: number;
  /** Requests Probot paces, for the busiest installation (1 s apart; content-creating ones 3 s apart). */
  pacedMax: number;
  notifyingMax: number;
  /** GitHub's own bound: the busiest installation's paced requests, spaced as Probot spaces them. */
  boundMs: number;
  duplicates: number;
  violations: string[];
}

/**
 * `BURST_REPOS` repositories, one installation each, `BURST_PER_REPO` labelled issues each, delivered at once: the time
 * until every issue has its comment, against the bound Probot's pacing sets (installations are paced in parallel, so
 * the busiest installation's paced requests, 1 s apart, or its content-creating ones, 3 s apart).
 */
async function measureTriageBurst(cloudRun: CloudRunEmulator): Promise<TriageBurstFigures> {
  const repos = Array.from({ length: BURST_REPOS }, (_, i) => ({ name: `burst-${i + 1}`, installation: 11 + i }));
  const github = await startGitHubStandIn({ appId: 1, latencyMs: LATENCY_MS, checkResponses: false });
  const config = scenarioConfigYaml.replace(
    /follow_ups:[\s\S]*$/,
    "follow_ups:\n  - { template: flow-documentation, when: always }\n",
  );
  const payloads = repos.flatMap((repo) => {
    const full = `burst-org/${repo.name}`;
    github.addRepo(full, {
      files: { ".github/config-triage.yml": config },
      installationId: repo.installation,
      collaborators: { [EXAMPLE_SENDER]: "triage" },
    });
    return Array.from({ length: BURST_PER_REPO }, (_, i) => {
      const title = `${scenarioIssue.title} (${i + 1})`;
      const issue = { number: i + 1, title, body: scenarioIssue.body, user: { login: "sre-lead", type: "User" } };
      github.addIssue(full, issue as Parameters<GitHubStandIn["addIssue"]>[1]);
      const payload = labeledPayload({ owner: "burst-org", repo: repo.name, ...issue, label: "triage:config" });
      payload.installation.id = repo.installation;
      return { full, number: i + 1, payload };
    });
  });
  const server = await startServer("src/entry/server/main.ts", github, cloudRun, {
    QUEUE_CONCURRENCY: String(BURST_CONCURRENCY),
    CONFIG_TRIAGE_ALLOWED_PROJECTS: "burst-org=netra-staging,netra-production",
  });
  try {
    const t0 = performance.now();
    const statuses = await Promise.all(payloads.map((p) => server.deliver("issues", p.payload)));
    if (statuses.some((s) => s !== 202)) throw new Error(`the burst was answered ${statuses.join(" ")}`);
    const commented = () =>
      payloads.every((p) => github.issue(p.full, p.number)!.comments.some((c) => c.user.login === github.botLogin));
    await waitFor("every issue's comment", () => commented() || undefined, 900_000, 20);
    const ms = performance.now() - t0;
    const byInstallation = new Map<string, RecordedRequest[]>();
    for (const r of github.requests) {
      const id = installationOfRequest(r);
      if (id) byInstallation.set(id, [...(byInstallation.get(id) ?? []), r]);
    }
    if (process.env.BENCH_TRACE) {
      const first = github.requests[0]?.at ?? 0;
      for (const r of github.requests)
        console.log(
          `${((r.at - first) / 1000).toFixed(2)} i${installationOfRequest(r) ?? "-"} ${r.method} ${r.path} ` +
            `${r.status} ${(r.body as { query?: string })?.query?.match(/(query|mutation) \w+/)?.[0] ?? ""}`,
        );
    }
    const paced = [...byInstallation.values()].map((rs) => rs.filter(isPaced).length);
    const notifying = [...byInstallation.values()].map((rs) => rs.filter(isNotifying).length);
    const boundMs = Math.max(
      ...[...byInstallation.values()].map(
        (rs) => Math.max(rs.filter(isPaced).length - 1, 3 * (rs.filter(isNotifying).length - 1), 0) * 1000,
      ),
    );
    const written = payloads.map((p) => {
      const issue = github.issue(p.full, p.number)!;
      const mine = issue.comments.filter((c) => c.user.login === github.botLogin).length;
      const children = github.issues(p.full).filter((i) => i.parent === issue.id).length;
      return mine + children;
    });
    return {
      ms,
      triages: payloads.length,
      installations: byInstallation.size,
      pacedMax: Math.max(...paced),
      notifyingMax: Math.max(...notifying),
      boundMs,
      duplicates: written.reduce((n, w) => n + Math.max(0, w - 2), 0),
      violations: github.violations,
    };
  } finally {
    await stop(server);
    await github.close();
  }
}

/**
 * 20 services in one region, one check: how many Cloud Run calls the live check makes, and how many Secret Manager
 * calls verify the secret they all read (it exists, its version is enabled, their account may read it).
 */
async function measureCloudRun(
  cloudRun: CloudRunEmulator,
): Promise<{ calls: number; byMethod: string; secretCalls: number; secretByMethod: string }> {
  const project = "bench-twenty";
  const account = `api@${project}.iam.gserviceaccount.com`;
  const names = Array.from({ length: 20 }, (_, i) => `svc-${String(i + 1).padStart(2, "0")}`);
  const secretManager = await startSecretManagerEmulator();
  secretManager.setSecret({
    project,
    name: "jwt",
    versions: ["ENABLED"],
    bindings: [{ role: "roles/secretmanager.secretAccessor", members: [`serviceAccount:${account}`] }],
  });
  for (const name of names) {
    const built = buildService({
      project,
      region: "us-central1",
      name,
      serviceAccount: account,
      env: { JWT_SECRET: { secret: "jwt", version: "latest" } },
    });
    cloudRun.setService(built.service);
    for (const r of built.revisions) cloudRun.setRevision(r);
  }
  const config =
    `environments:\n  production:\n    project: ${project}\n    region: us-central1\n    services: ` +
    `[${names.join(", ")}]\nchecks:\n  - variable: JWT_SECRET\nfollow_ups: []\n`;
  const github = await startGitHubStandIn({ appId: 1, latencyMs: 0, checkResponses: false });
  github.addRepo(FULL, {
    files: { ".github/config-triage.yml": config },
    collaborators: { [EXAMPLE_SENDER]: "triage" },
  });
  github.addIssue(FULL, {
    number: scenarioIssue.number,
    title: "Twenty services",
    body: "check them",
    user: { login: "sre-lead", type: "User" },
  });
  const server = await startServer("src/entry/server/main.ts", github, cloudRun, {
    SECRET_MANAGER_EMULATOR_HOST: secretManager.address,
  });
  try {
    const before = cloudRun.calls.length;
    await deliver(server, { title: "Twenty services" });
    await waitFor(
      "the 20-service check",
      () => github.issue(FULL, scenarioIssue.number)!.comments.length > 0 || undefined,
      150_000,
      10,
    );
    const calls = cloudRun.calls.slice(before).filter((c) => JSON.stringify(c.request).includes(project));
    const byMethod = Object.entries(
      calls.reduce<Record<string, number>>((m, c) => {
        m[c.method] = (m[c.method] ?? 0) + 1;
        return m;
      }, {}),
    )
      .map(([k, v]) => `${v} ${k}`)
      .join(", ");
    const secretCalls = secretManager.calls;
    if (secretCalls.some((c) => c.method === "AccessSecretVersion"))
      throw new Error("the app asked Secret Manager for a secret value");
    const secretByMethod = Object.entries(
      secretCalls.reduce<Record<string, number>>((m, c) => {
        m[c.method] = (m[c.method] ?? 0) + 1;
        return m;
      }, {}),
    )
      .map(([k, v]) => `${v} ${k}`)
      .join(", ");
    return { calls: calls.length, byMethod, secretCalls: secretCalls.length, secretByMethod };
  } finally {
    await stop(server);
    await github.close();
    await secretManager.close();
  }
}

/** What one idle watch costs per scheduled recheck: requests to GitHub (writes apart) and calls to Cloud Run. */
interface WatchFigures {
  github: number;
  writes: number;
  cloudRun: number;
  byOperation: string;
  rechecks: number;
}

/**
 * One watched issue that stays broken (`watch:` every 1 s, the deployment's floor lowered for the bench): after the
 * triage, the requests between the first and the last of RECHECKS + 1 rechecks (each begins with GET the issue, and an
 * issue runs one event at a time), divided by RECHECKS.
 */
async function measureIdleWatch(cloudRun: CloudRunEmulator, rechecks = 3): Promise<WatchFigures> {
  for (const s of scenarioServices().services) cloudRun.setService(s);
  const github = await scenarioStandIn(4);
  const repo = github.repo(FULL)!;
  const file = ".github/config-triage.yml";
  repo.files.set(file, `${repo.files.get(file)}watch:\n  every: 1s\n  for: 1d\n`);
  github.issue(FULL, scenarioIssue.number)!.labels.push("triage:config");
  const server = await startServer("src/entry/server/main.ts", github, cloudRun, {
    CONFIG_TRIAGE_WATCH_MIN_EVERY: "1s",
  });
  try {
    const gets = () =>
      github.requests.filter((r) => r.method === "GET" && r.path === `/repos/${FULL}/issues/${scenarioIssue.number}`);
    await deliver(server);
    await waitFor("the first recheck", () => gets()[0], 120_000, 10);
    const firstCalls = cloudRun.calls.length;
    await waitFor(`${rechecks} more rechecks`, () => gets()[rechecks], 120_000, 10);
    const lastCalls = cloudRun.calls.length;
    const window = github.requests.slice(github.requests.indexOf(gets()[0]), github.requests.indexOf(gets()[rechecks]));
    const count = (xs: RecordedRequest[]) => xs.length / rechecks;
    const ops = window.reduce<Record<string, number>>((m, r) => {
      const op = r.operationId ?? `${r.method} ${r.path}`;
      m[op] = (m[op] ?? 0) + 1;
      return m;
    }, {});
    const calls = cloudRun.calls.slice(firstCalls, lastCalls).reduce<Record<string, number>>((m, c) => {
      m[c.method] = (m[c.method] ?? 0) + 1;
      return m;
    }, {});
    const per = (m: Record<string, number>) =>
      Object.entries(m)
        .map(([k, v]) => `${v / rechecks} ${k}`)
        .join(", ");
    return {
      github: count(window),
      writes: count(window.filter(isWrite)),
      cloudRun: (lastCalls - firstCalls) / rechecks,
      byOperation: `GitHub: ${per(ops)}; Cloud Run: ${per(calls)}`,
      rechecks,
    };
  } finally {
    await stop(server);
    await github.close();
  }
}

/** The burst's rows of the table: its time against the pacing bound, and what the bound counts. */
function triageBurstRows(b: TriageBurstFigures): string[][] {
  return [
    [
      `Burst: ${b.triages} triages across ${b.installations} installations, time to the last comment`,
      fmtS(b.ms),
      fmtS(b.boundMs),
      ratio(b.ms, b.boundMs),
      "GitHub's pacing bound",
      "≤ 1.5×",
    ],
    [
      "  paced requests of the busiest installation (content-creating)",
      `${b.pacedMax} (${b.notifyingMax})`,
      "",
      "",
      "1 s apart (3 s)",
      "",
    ],
    ["  writes made twice", String(b.duplicates), "0", "", "", "0"],
  ];
}

const fmtS = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const fmtMs = (ms: number) => `${ms.toFixed(0)} ms`;
const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? "—" : "∞") : `${(a / b).toFixed(a / b < 0.1 ? 3 : 2)}×`);

async function main(): Promise<void> {
  const started = Date.now();
  const cloudRun = await startCloudRunEmulator({ ...scenarioServices(), latencyMs: CLOUD_RUN_LATENCY_MS });
  const servers: Server[] = [];
  const standIns: GitHubStandIn[] = [];
  if (process.env.BENCH_ONLY === "burst") {
    try {
      const b = await measureTriageBurst(cloudRun);
      for (const [label, value, bound, ratioToBound, what] of triageBurstRows(b)) {
        const notes = [bound && `bound ${bound}`, ratioToBound, what].filter(Boolean).join(", ");
        console.log(`${label.trim()}: ${value}${notes ? ` (${notes})` : ""}`);
      }
      if (b.duplicates || b.violations.length) process.exitCode = 1;
    } finally {
      await cloudRun.close();
    }
    return;
  }
  if (process.env.BENCH_ONLY === "watch") {
    try {
      const w = await measureIdleWatch(cloudRun);
      console.log(
        `One idle watch, per scheduled recheck (mean of ${w.rechecks}): ${w.github} GitHub requests ` +
          `(${w.writes} writes), ${w.cloudRun} Cloud Run calls (${w.byOperation})`,
      );
    } finally {
      await cloudRun.close();
    }
    return;
  }
  if (process.env.BENCH_ONLY === "calls") {
    try {
      const cr = await measureCloudRun(cloudRun);
      console.log(
        `Cloud Run calls, 20 services in one region: ${cr.calls} (${cr.byMethod}); naive: 20 (GetService each)`,
      );
      console.log(
        `Secret Manager calls, 20 services reading one secret: ${cr.secretCalls} (${cr.secretByMethod}); naive: ` +
          `60 (GetSecret, GetSecretVersion, GetIamPolicy per service)`,
      );
    } finally {
      await cloudRun.close();
    }
    return;
  }
  try {
    // 1. Triages, side by side: each case has its own server (its own throttling) and its own stand-in.
    const cases = [
      { name: "graphql", n: 4, api: "graphql" },
      { name: "graphql", n: 10, api: "graphql" },
      { name: "rest", n: 4, api: "rest" },
      { name: "rest", n: 10, api: "rest" },
      { name: "fallback", n: 4, api: "graphql", refuseGraphql: true },
      { name: "fallback", n: 10, api: "graphql", refuseGraphql: true },
    ] as const;
    const prepared = await Promise.all(
      cases.map(async (c) => {
        const github = await scenarioStandIn(c.n, { refuseGraphql: "refuseGraphql" in c });
        standIns.push(github);
        const server = await startServer("src/entry/server/main.ts", github, cloudRun, {
          CONFIG_TRIAGE_GITHUB_API: c.api,
        });
        servers.push(server);
        return { ...c, github, server };
      }),
    );
    const triage = new Map<string, TriageFigures>();
    await Promise.all(
      prepared.map(async (c) => triage.set(`${c.name}:${c.n}`, await measureTriage(c.server, c.github, c.n))),
    );
    for (const s of servers.splice(0)) await stop(s);

    // 2. A burst of triages across installations, against the bound GitHub's pacing sets.
    const triageBurst = await measureTriageBurst(cloudRun);

    // 3. Acknowledgement and memory under a burst: this app (as main wires it today), then a bare Probot app.
    const appGithub = await burstStandIn();
    standIns.push(appGithub);
    const app = await startServer("src/entry/server/main.ts", appGithub, cloudRun);
    servers.push(app);
    const appIdle = peakRssMiB(app.child.pid!);
    const appBurst = await measureBurst(app, appGithub, DELIVERIES);
    await stop(servers.pop()!);
    const bareGithub = await burstStandIn();
    standIns.push(bareGithub);
    const bare = await startServer("bench/bare-probot-app.ts", bareGithub, cloudRun);
    servers.push(bare);
    const bareIdle = peakRssMiB(bare.child.pid!);
    const bareBurst = await measureBurst(bare, bareGithub, DELIVERIES);
    await stop(servers.pop()!);

    // 4. Cloud Run calls for one check of 20 services in one region.
    const cr = await measureCloudRun(cloudRun);
    // 5. One idle watch: what each scheduled recheck of an issue that stays broken costs.
    const watch = await measureIdleWatch(cloudRun);

    const t = (k: string) => triage.get(k)!;
    const rows: string[][] = [
      ["Figure", "config-triage", "baseline", "ratio", "baseline is", "target"],
      ...[4, 10].flatMap((n) => [
        [
          `GitHub requests per triage, N=${n}`,
          String(t(`graphql:${n}`).requests),
          String(t(`rest:${n}`).requests),
          ratio(t(`graphql:${n}`).requests, t(`rest:${n}`).requests),
          "REST way",
          "≤ 6, constant in N",
        ],
        [
          `  of which writes, N=${n}`,
          String(t(`graphql:${n}`).writes),
          String(t(`rest:${n}`).writes),
          ratio(t(`graphql:${n}`).writes, t(`rest:${n}`).writes),
          "REST way",
          "",
        ],
        [
          `Time to a finished triage, N=${n}`,
          fmtS(t(`graphql:${n}`).ms),
          fmtS(t(`rest:${n}`).ms),
          ratio(t(`graphql:${n}`).ms, t(`rest:${n}`).ms),
          "REST way",
          "≤ 0.125×",
        ],
      ]),
      [
        "Writes on a repeated run (nothing new), N=4 / N=10",
        `${t("graphql:4").repeatWrites} / ${t("graphql:10").repeatWrites}`,
        `${t("rest:4").repeatWrites} / ${t("rest:10").repeatWrites}`,
        "",
        "REST way",
        "0",
      ],
      [
        "Requests on a repeated run, N=4",
        String(t("graphql:4").repeatRequests),
        String(t("rest:4").repeatRequests),
        ratio(t("graphql:4").repeatRequests, t("rest:4").repeatRequests),
        "REST way",
        "",
      ],
      ...[4, 10].map((n) => [
        `Dependency requests: first / repeated / comment lost, N=${n} (links: ${t(`graphql:${n}`).links})`,
        t(`graphql:${n}`).dependencyRequests.join(" / "),
        t(`rest:${n}`).dependencyRequests.join(" / "),
        "",
        "REST way",
        "≤ 1 per link / 0 / no POST",
      ]),
      [
        "Milestone and issue-type reads, first run, N=4",
        String(t("graphql:4").structureReads),
        String(t("rest:4").structureReads),
        "",
        "REST way",
        "only when asked",
      ],
      ...[4, 10].flatMap((n) => [
        [
          `REST fallback (GraphQL refused): requests, N=${n}`,
          String(t(`fallback:${n}`).requests),
          String(t(`rest:${n}`).requests),
          ratio(t(`fallback:${n}`).requests, t(`rest:${n}`).requests),
          "REST way",
          "works",
        ],
        [
          `REST fallback: time to a finished triage, N=${n}`,
          fmtS(t(`fallback:${n}`).ms),
          fmtS(t(`rest:${n}`).ms),
          ratio(t(`fallback:${n}`).ms, t(`rest:${n}`).ms),
          "REST way",
          "",
        ],
      ]),
      ...triageBurstRows(triageBurst),
      [
        `Ack p99, ${DELIVERIES} concurrent deliveries`,
        fmtMs(appBurst.p99),
        fmtMs(bareBurst.p99),
        ratio(appBurst.p99, bareBurst.p99),
        "bare Probot app",
        "≤ 1.5×",
      ],
      [
        `Ack p50, ${DELIVERIES} concurrent deliveries`,
        fmtMs(appBurst.p50),
        fmtMs(bareBurst.p50),
        ratio(appBurst.p50, bareBurst.p50),
        "bare Probot app",
        "",
      ],
      ["  answers", appBurst.statuses, bareBurst.statuses, "", "", ""],
      [
        "Peak RSS through the burst (idle before)",
        `${appBurst.rssMiB.toFixed(0)} MiB (${appIdle.toFixed(0)})`,
        `${bareBurst.rssMiB.toFixed(0)} MiB (${bareIdle.toFixed(0)})`,
        ratio(appBurst.rssMiB, bareBurst.rssMiB),
        "bare Probot app",
        "",
      ],
      [
        "One idle watch, per scheduled recheck: GitHub requests (writes) / Cloud Run calls",
        `${watch.github} (${watch.writes}) / ${watch.cloudRun}`,
        "",
        "",
        watch.byOperation,
        "0 writes",
      ],
      [
        "Cloud Run calls, 20 services in one region",
        `${cr.calls} (${cr.byMethod})`,
        "20 (GetService each)",
        ratio(cr.calls, 20),
        "one call per service",
        "constant",
      ],
      [
        "Secret Manager calls, the 20 services reading one secret",
        `${cr.secretCalls} (${cr.secretByMethod})`,
        "60",
        ratio(cr.secretCalls, 60),
        "3 calls per service",
        "constant",
      ],
    ];
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
    console.log(line(rows[0]));
    console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
    for (const r of rows.slice(1)) console.log(line(r));
    const cpu = cpus()[0]?.model ?? "unknown CPU";
    console.log(
      `\nGitHub stand-in latency ${LATENCY_MS} ms, Cloud Run emulator latency ${CLOUD_RUN_LATENCY_MS} ms; ` +
        `Probot's default throttling; ${cpus().length} CPUs (${cpu}), Node ${process.version}; ` +
        `took ${((Date.now() - started) / 1000).toFixed(0)} s.`,
    );
    const violations = [...triage.values(), triageBurst].flatMap((f) => f.violations);
    if (triageBurst.duplicates) {
      console.log(`\nWrites made twice in the burst: ${triageBurst.duplicates}`);
      process.exitCode = 1;
    }
    if (violations.length) {
      console.log(`\nRequests GitHub would refuse: ${violations.length}`);
      for (const v of violations.slice(0, 10)) console.log(`  ${v}`);
      process.exitCode = 1;
    }
  } finally {
    for (const s of servers) await stop(s);
    for (const g of standIns) await g.close();
    await cloudRun.close();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
