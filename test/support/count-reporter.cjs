// Mocha reporter: the spec reporter's output, plus a JSON file with the pass/fail counts that
// scripts/test.mjs sums over suites (mocha's own summary line is not read as a count).
const Mocha = require('mocha');
const fs = require('node:fs');
const { EVENT_RUN_END } = Mocha.Runner.constants;

class CountReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const file = options.reporterOptions && options.reporterOptions.countsFile;
    runner.once(EVENT_RUN_END, () => {
      if (file) {
        const s = runner.stats || this.stats;
        fs.writeFileSync(file, JSON.stringify({ passes: s.passes, failures: s.failures, pending: s.pending }));
      }
    });
  }
}
module.exports = CountReporter;
