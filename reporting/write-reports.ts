import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunResult } from "../harness/results.js";
import { jsonReport } from "./json-report.js";
import { junitReport } from "./junit-report.js";
import { markdownReport } from "./markdown-report.js";

export interface WrittenReports {
  json: string;
  junit: string;
  markdown: string;
}

export function writeReports(dir: string, run: RunResult): WrittenReports {
  mkdirSync(dir, { recursive: true });
  const files = { json: join(dir, "report.json"), junit: join(dir, "junit.xml"), markdown: join(dir, "summary.md") };
  writeFileSync(files.json, `${JSON.stringify(jsonReport(run), null, 2)}\n`);
  writeFileSync(files.junit, junitReport(run));
  writeFileSync(files.markdown, markdownReport(run));
  return files;
}
