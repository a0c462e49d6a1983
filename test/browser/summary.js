/** Prints the suite's closing line, `N passed, N failed`, for .ci/run and humans alike. */
class Summary {
  onRunComplete(_contexts, results) {
    process.stdout.write(`browser: ${results.numPassedTests} passed, ${results.numFailedTests} failed\n`);
  }
}
module.exports = Summary;
