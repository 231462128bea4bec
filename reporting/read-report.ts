// Reads a report.json back (for `nfconform report merge`), checking its schema.
import { readFileSync } from "node:fs";
import type { PropertyResult, RunResult } from "../harness/results.js";
import { REPORT_SCHEMA, REPORT_SCHEMA_VERSION } from "./json-report.js";

export class ReportError extends Error {}

export function readReport(path: string): RunResult {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ReportError(`${path}: ${(error as Error).message}`);
  }
  if (parsed.schema !== REPORT_SCHEMA || parsed.schemaVersion !== REPORT_SCHEMA_VERSION) {
    throw new ReportError(`${path}: not an ${REPORT_SCHEMA} version ${REPORT_SCHEMA_VERSION} report`);
  }
  const properties = parsed.properties;
  if (
    !Array.isArray(properties) ||
    !properties.every((p) => typeof p?.id === "string" && typeof p?.status === "string")
  ) {
    throw new ReportError(`${path}: "properties" is not a list of property results`);
  }
  return {
    iut: parsed.iut as RunResult["iut"],
    seed: parsed.seed as number,
    runsPerProperty: parsed.runsPerProperty as number,
    startedAt: parsed.startedAt as string,
    durationMs: parsed.durationMs as number,
    command: parsed.command as string,
    properties: properties as PropertyResult[],
  };
}

/**
 * Joins the reports of shards of one run (same IUT, seed and cases per
 * property) into the report the whole run would have written.
 */
export function mergeReports(
  reports: readonly { path: string; run: RunResult }[],
  order: readonly string[],
): RunResult {
  const [first, ...rest] = reports;
  if (!first) throw new ReportError("report merge needs at least one report");
  for (const { path, run } of rest) {
    if (run.iut.spec !== first.run.iut.spec)
      throw new ReportError(`${path}: IUT ${run.iut.spec} differs from ${first.path}'s ${first.run.iut.spec}`);
    if (run.seed !== first.run.seed)
      throw new ReportError(`${path}: seed ${run.seed} differs from ${first.path}'s ${first.run.seed}`);
    if (run.runsPerProperty !== first.run.runsPerProperty)
      throw new ReportError(
        `${path}: ${run.runsPerProperty} cases per property differs from ${first.path}'s ${first.run.runsPerProperty}`,
      );
  }
  const seen = new Map<string, string>();
  const properties: PropertyResult[] = [];
  for (const { path, run } of reports) {
    for (const p of run.properties) {
      const other = seen.get(p.id);
      if (other) throw new ReportError(`${path}: property ${p.id} is also in ${other} (overlapping shards)`);
      seen.set(p.id, path);
      properties.push(p);
    }
  }
  const rank = (id: string) => (order.indexOf(id) < 0 ? order.length : order.indexOf(id));
  properties.sort((a, b) => rank(a.id) - rank(b.id));
  return {
    ...first.run,
    startedAt: reports.map((r) => r.run.startedAt).sort()[0]!,
    // Shards run side by side: the merged run took as long as the slowest.
    durationMs: Math.max(...reports.map((r) => r.run.durationMs)),
    command: `nfconform report merge ${reports.map((r) => r.path).join(" ")}`,
    properties,
  };
}
