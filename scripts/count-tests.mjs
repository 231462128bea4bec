// Prints vitest's JSON results (one file or several, summed) as the one plain line CI reads:
// "N passed, N failed, N skipped". Arguments NAME=STATUS name CI's own checks (exit status):
// each counts as one test.
// `vitest=STATUS` is vitest's own exit status: non-zero with no failed test (coverage under its
// thresholds, an error outside any test) counts as one failure, so the line never reads green.
import { readFileSync } from "node:fs";

const files = process.argv.slice(2).filter((a) => !a.includes("="));
const args = process.argv.slice(2).filter((a) => a.includes("="));
const vitestExit = Number(args.find((a) => a.startsWith("vitest="))?.slice("vitest=".length) ?? 0);
const checks = args.filter((a) => !a.startsWith("vitest="));
const checkFailures = checks.filter((c) => !c.endsWith("=0"));
for (const c of checkFailures) console.error(`count-tests: CI check failed: ${c}`);
try {
  if (files.length === 0) throw new Error("no vitest JSON file named");
  let [passed, failedTests, skipped, brokenFiles] = [0, 0, 0, 0];
  for (const file of files) {
    let result;
    try {
      result = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      throw new Error(`${file}: ${error.message}`);
    }
    passed += result.numPassedTests;
    failedTests += result.numFailedTests;
    skipped += (result.numPendingTests ?? 0) + (result.numTodoTests ?? 0);
    // A test file that failed to load counts as a failure even though it ran no test.
    brokenFiles += (result.testResults ?? []).filter(
      (f) => f.status === "failed" && (f.assertionResults ?? []).length === 0,
    ).length;
  }
  passed += checks.length - checkFailures.length;
  let failed = failedTests + brokenFiles + checkFailures.length;
  if (vitestExit !== 0 && failedTests + brokenFiles === 0) {
    console.error(`count-tests: vitest exited ${vitestExit} with no failed test (coverage thresholds?)`);
    failed++;
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
} catch (error) {
  console.error(`count-tests: cannot read ${error.message}`);
  console.log("0 passed, 1 failed, 0 skipped");
}
