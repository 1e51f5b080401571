/**
 * The process guard with the real library error it exists for: a @google-cloud/run client without credentials lets
 * its error escape every caller (an unhandled rejection, then an uncaught exception) and never settles the call.
 * Guarded, the job that made the call fails with that error, an error of no job is only logged, and the process goes
 * on to run the next job. In a process of its own, on loopback only (no credentials, metadata server on a closed port).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { root, runNode } from "../../../dev/app-server.js";

test("the escaped error fails its own job only; an error of no job is logged; the next job runs", async () => {
  const home = mkdtempSync(join(tmpdir(), "config-triage-guard-"));
  const loader = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href;
  const { code, stdout, stderr } = await runNode(
    ["--import", loader, join(root, "test/fixtures/scripts/escape-from-library.ts")],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        CLOUDSDK_CONFIG: join(home, "gcloud"),
        GCE_METADATA_HOST: "127.0.0.1:9",
        METADATA_SERVER_DETECTION: "none",
        grpc_proxy: "http://127.0.0.1:9",
      },
    },
  );
  rmSync(home, { recursive: true, force: true });
  expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  const lines = stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, string>);
  const noCredentials =
    "Could not load the default credentials. " +
    "Browse to https://cloud.google.com/docs/authentication/getting-started for more information.";
  expect(lines.find((l) => l.job === "job-1")).toEqual({ job: "job-1", outcome: `rejected: ${noCredentials}` });
  expect(lines.filter((l) => l.log && l.delivery === "job-1").map((l) => l.err)).toContain(noCredentials);
  expect(lines).toContainEqual({
    log: "an error escaped from a library outside any running event: logged, the server goes on",
    kind: "uncaughtException",
    err: "thrown by a timer of no job",
  });
  expect(lines.at(-1)).toEqual({ job: "job-2", outcome: "done" });
}, 30_000);
