// Preloaded (`node --require`) into a measured process: on exit, appends its peak resident set size (bytes)
// to the file named by SAGESHIELD_BENCH_RSS_FILE. Used by bench/run.mjs only.
const fs = require('node:fs');
const out = process.env.SAGESHIELD_BENCH_RSS_FILE;
if (out) {
  process.on('exit', () => {
    try {
      fs.appendFileSync(out, `${process.resourceUsage().maxRSS * 1024}\n`);
    } catch {
      // nothing to report to
    }
  });
}
