// Prints vitest's JSON result as the one plain line CI reads: "N passed, N failed, N skipped".
import { readFileSync } from "node:fs";

const file = process.argv[2];
try {
  const result = JSON.parse(readFileSync(file, "utf8"));
  const skipped = (result.numPendingTests ?? 0) + (result.numTodoTests ?? 0);
  // A test file that failed to load counts as a failure even though it ran no test.
  const brokenFiles = (result.testResults ?? []).filter((f) => f.status === "failed" && (f.assertionResults ?? []).length === 0).length;
  console.log(`${result.numPassedTests} passed, ${result.numFailedTests + brokenFiles} failed, ${skipped} skipped`);
} catch (error) {
  console.error(`count-tests: cannot read ${file}: ${error.message}`);
  console.log("0 passed, 1 failed, 0 skipped");
}
