/**
 * A page opened in a real browser: Debian's `chromium`, headless (`.ci/run` installs it when it is missing).
 * `CHROMIUM` names another binary.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const CHROMIUM = process.env.CHROMIUM || "chromium";

/**
 * The DOM of the HTML file at `path` once its scripts have run, as `chromium --headless --dump-dom` prints it.
 *
 * The wait is in the browser's virtual time (`--virtual-time-budget`), which advances only while the page is idle and
 * jumps over its timers: a loaded machine makes the run slower, never shorter, so the page's scripts finish first.
 */
export async function dumpDomInChromium(path: string): Promise<string> {
  const profile = await mkdtemp(join(tmpdir(), "chromium-profile-"));
  const args = [
    "--headless",
    "--no-sandbox", // tests run as root in CI, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--no-first-run",
    `--user-data-dir=${profile}`,
    "--virtual-time-budget=60000",
    "--dump-dom",
    pathToFileURL(path).href,
  ];
  try {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(CHROMIUM, args, { stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (err += d));
        child.on("error", (e: NodeJS.ErrnoException) =>
          reject(
            e.code === "ENOENT"
              ? new Error(
                  `${CHROMIUM} not found: install Debian's chromium ` +
                    "(apt-get install -y --no-install-recommends chromium, as .ci/run does) or set CHROMIUM to one",
                )
              : e,
          ),
        );
        child.on("close", (c) => resolve({ code: c, stdout: out, stderr: err }));
      },
    );
    if (code !== 0 || !stdout.includes("<html")) throw new Error(`${CHROMIUM} exited ${code}:\n${stderr}`);
    return stdout;
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}
