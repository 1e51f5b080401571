import { createDefaultEsmPreset } from "ts-jest";

/** @type {import('jest').Config} */
export default {
  ...createDefaultEsmPreset({ tsconfig: "tsconfig.json" }),
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  testTimeout: 30000,
  // Two workers on 2 CPUs (jest's default is one): the end-to-end files mostly wait on spawned servers and Probot's
  // write pacing, so two run side by side; each file starts its own servers on free ports. A clean .ci/run of 932
  // tests took 7.8 min with two (4.8 min of CPU); with one it took 14 min on a busier machine.
  maxWorkers: 2,
  // End-to-end tests run the built server (node dist/entry/server/main.js, as `npm start`): build it once.
  globalSetup: "<rootDir>/test/support/build-server.js",
};
