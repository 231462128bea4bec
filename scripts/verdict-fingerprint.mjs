#!/usr/bin/env node
// Prints what a run decided, without timings or paths, one property a line:
// two runs with the same seed must print the same lines (refactors keep
// verdicts; see docs/contributing.md). Usage: verdict-fingerprint.mjs report.json...
import { readFileSync } from "node:fs";

for (const file of process.argv.slice(2)) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  for (const p of report.properties) {
    const v = p.violation;
    const verdict = {
      status: p.status,
      runs: p.runs,
      declined: p.declined,
      ...(v
        ? {
            counterexample: v.counterexample,
            expected: v.expected,
            observed: v.observed,
            message: v.message,
            path: v.path,
          }
        : {}),
      ...(p.skipReason ? { skipReason: p.skipReason } : {}),
    };
    process.stdout.write(`${report.iut.spec} ${p.id} ${JSON.stringify(verdict)}\n`);
  }
}
