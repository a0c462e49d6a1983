/** One line per scenario, the diff of each failure, and a closing `N passed, N failed` line. */
class ConformanceReporter {
  onTestResult(_test, result) {
    for (const r of result.testResults) {
      const mark = r.status === 'passed' ? 'PASS' : r.status === 'failed' ? 'FAIL' : r.status.toUpperCase();
      process.stdout.write(`${mark} ${r.title} (${((r.duration ?? 0) / 1000).toFixed(1)} s)\n`);
      for (const message of r.failureMessages) process.stdout.write(`${message}\n\n`);
    }
    if (result.testExecError)
      process.stdout.write(`${result.testExecError.message}\n${result.failureMessage ?? ''}\n`);
  }

  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + (results.numRuntimeErrorTestSuites > 0 ? 1 : 0);
    process.stdout.write(`${results.numPassedTests} passed, ${failed} failed\n`);
  }
}

module.exports = ConformanceReporter;
