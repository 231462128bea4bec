// Prints vitest's JSON result as the one plain line CI reads: "N passed, N failed, N skipped".
// Further arguments name CI's own checks as NAME=STATUS (exit status): each counts as one test.
import { readFileSync } from "node:fs";

const [file, ...checks] = process.argv.slice(2);
const checkFailures = checks.filter((c) => !c.endsWith("=0"));
for (const c of checkFailures) console.error(`count-tests: CI check failed: ${c}`);
try {
  const result = JSON.parse(readFileSync(file, "utf8"));
  const skipped = (result.numPendingTests ?? 0) + (result.numTodoTests ?? 0);
  // A test file that failed to load counts as a failure even though it ran no test.
  const brokenFiles = (result.testResults ?? []).filter(
    (f) => f.status === "failed" && (f.assertionResults ?? []).length === 0,
  ).length;
  const passed = result.numPassedTests + checks.length - checkFailures.length;
  const failed = result.numFailedTests + brokenFiles + checkFailures.length;
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
} catch (error) {
  console.error(`count-tests: cannot read ${file}: ${error.message}`);
  console.log("0 passed, 1 failed, 0 skipped");
}
