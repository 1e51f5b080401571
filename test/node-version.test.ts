/**
 * The tests run on the Node the app ships with: the major of the Docker image, of the Action's `runs.using` and of the
 * `node` devDependency (which npm scripts put first on the PATH) is the one running this test; engines names the
 * oldest supported major.
 */
import { readFileSync } from "node:fs";

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), "utf8");
const pkg = JSON.parse(read("package.json")) as { engines: { node: string }; devDependencies: Record<string, string> };

test("the image, the Action, the node devDependency and this test run share one Node major; engines says >=22", () => {
  const running = process.versions.node.split(".")[0];
  const image = [...read("Dockerfile").matchAll(/^FROM node:(\d+)-slim/gm)].map((m) => m[1]);
  const action = /^ {2}using: node(\d+)$/m.exec(read("action.yml"))?.[1];
  const dev = /^\^?(\d+)\./.exec(pkg.devDependencies.node)?.[1];
  expect({ image, action, dev }).toEqual({ image: [running, running], action: running, dev: running });
  expect(running).toBe("24");
  expect(pkg.engines.node).toBe(">=22");
});
