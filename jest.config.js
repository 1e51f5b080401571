import { createDefaultEsmPreset } from "ts-jest";

/** @type {import('jest').Config} */
export default {
  ...createDefaultEsmPreset({ tsconfig: "tsconfig.json" }),
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  testTimeout: 30000,
  // Four workers on 2 CPUs: the end-to-end files mostly wait (on spawned servers, Probot's write pacing, retries), and
  // each starts its own servers on free ports, so they are isolated; four overlap that waiting with the CPU-bound
  // files. The waiting files start first (test/support/slow-files-first.js). On 2 CPUs: two workers took about
  // 7 minutes (4.3-4.8 min of CPU); see docs/tests.md for the figures with four.
  maxWorkers: 4,
  testSequencer: "<rootDir>/test/support/slow-files-first.js",
  // End-to-end tests run the built server (node dist/entry/server/main.js, as `npm start`): build it once.
  globalSetup: "<rootDir>/test/support/build-server.js",
};
