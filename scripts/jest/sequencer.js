/*
 * Runs the slowest test files first, as Jest does once it has timed a run, also on a fresh
 * clone that has no timings yet: there Jest's default orders files by size, and a small but
 * slow file starting last keeps one worker busy alone at the end of the run.
 * durations.json holds each file's seconds from a full run; files missing from it (new ones)
 * go first, so a new slow file is never the tail. Regenerate it with `--json --outputFile`.
 */
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;
const durations = require('./durations.json');

const repoRoot = path.resolve(__dirname, '../..');

class SlowestFirstSequencer extends Sequencer {
  sort(tests) {
    const known = test => {
      const cached = this.time(test);
      if (cached !== undefined) return cached;
      const seconds = durations[path.relative(repoRoot, test.path)];
      return seconds === undefined ? undefined : seconds * 1000;
    };
    const withTimes = tests.map(test => ({ test, ms: known(test) }));
    return withTimes
      .sort((a, b) => {
        const failedA = this.hasFailed(a.test);
        const failedB = this.hasFailed(b.test);
        if (failedA !== failedB) return failedA ? -1 : 1;
        if ((a.ms === undefined) !== (b.ms === undefined)) {
          return a.ms === undefined ? -1 : 1;
        }
        return (b.ms ?? 0) - (a.ms ?? 0);
      })
      .map(({ test }) => test);
  }
}

module.exports = SlowestFirstSequencer;
