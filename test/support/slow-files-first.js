// jest testSequencer: the files that start servers or processes and wait on them (end-to-end, the Action bundle,
// the packed tarball, the built server, the demo page) start first, each group in jest's own order (a file that
// failed last time first, then the longest by the timings jest recorded, or the largest file when it has none).
// On a cold cache (CI) jest's own order puts these small files last, so the run ended on minutes of waiting with
// one worker busy; started first, their waiting overlaps the CPU-bound unit files in the other workers.
import Sequencer from "@jest/test-sequencer";

const WAITS = /\/e2e\/|\/(action-bundle|install-tarball|demo-page|built-server)\.test\.ts$/;

export default class SlowFilesFirst extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    return [...sorted.filter((t) => WAITS.test(t.path)), ...sorted.filter((t) => !WAITS.test(t.path))];
  }
}
