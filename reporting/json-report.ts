// report.json: the machine-readable result, schema documented in docs/report-schema.md.
import { summarize, type RunResult } from "../harness/results.js";
import { TOOL_VERSION } from "../sys/tool-version.js";

export const REPORT_SCHEMA = "nfconform-report";
export const REPORT_SCHEMA_VERSION = 1;

export function jsonReport(run: RunResult): object {
  const summary = summarize(run.properties);
  return {
    schema: REPORT_SCHEMA,
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: "nfconform", version: TOOL_VERSION },
    command: run.command,
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    iut: run.iut,
    seed: run.seed,
    runsPerProperty: run.runsPerProperty,
    ...(run.shard ? { shard: run.shard } : {}),
    ...(run.propertiesDigest ? { propertiesDigest: run.propertiesDigest } : {}),
    summary: { ...summary, total: run.properties.length },
    properties: run.properties,
    ...(run.coverage ? { coverage: run.coverage } : {}),
  };
}
