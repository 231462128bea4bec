// Reads a report.json back (for `nfconform report merge`), checking its schema,
// and joins the reports of shards, proving them one whole run.
import { readFileSync } from "node:fs";
import type { PropertyResult, PropertyStatus, RunResult } from "../harness/results.js";
import { digestOfIds } from "../harness/run-suite.js";
import { REPORT_SCHEMA, REPORT_SCHEMA_VERSION } from "./json-report.js";

export class ReportError extends Error {}

/** Every status a report may carry; tied to the type, so a new status must be added here. */
const STATUSES: Record<PropertyStatus, true> = { passed: true, failed: true, skipped: true, "iut-error": true };

function readShard(path: string, value: unknown): RunResult["shard"] {
  if (value === undefined) return undefined;
  const shard = value as { index?: unknown; count?: unknown };
  const { index, count } = shard ?? {};
  if (
    typeof index !== "number" ||
    typeof count !== "number" ||
    !Number.isInteger(index) ||
    !Number.isInteger(count) ||
    index < 1 ||
    index > count
  )
    throw new ReportError(`${path}: "shard" must be {index, count} with 1 <= index <= count`);
  return { index, count };
}

export function readReport(path: string): RunResult {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ReportError(`${path}: ${(error as Error).message}`);
  }
  if (parsed?.schema !== REPORT_SCHEMA || parsed.schemaVersion !== REPORT_SCHEMA_VERSION) {
    throw new ReportError(`${path}: not an ${REPORT_SCHEMA} version ${REPORT_SCHEMA_VERSION} report`);
  }
  const properties = parsed.properties;
  if (
    !Array.isArray(properties) ||
    !properties.every((p) => typeof p?.id === "string" && typeof p?.status === "string")
  ) {
    throw new ReportError(`${path}: "properties" is not a list of property results`);
  }
  const unknown = properties.find((p) => !Object.hasOwn(STATUSES, p.status));
  if (unknown)
    throw new ReportError(
      `${path}: property ${unknown.id} has status ${JSON.stringify(unknown.status)} (known: ${Object.keys(STATUSES).join(", ")})`,
    );
  const shard = readShard(path, parsed.shard);
  const digest = parsed.propertiesDigest;
  if (digest !== undefined && typeof digest !== "string")
    throw new ReportError(`${path}: "propertiesDigest" must be a string`);
  return {
    iut: parsed.iut as RunResult["iut"],
    seed: parsed.seed as number,
    runsPerProperty: parsed.runsPerProperty as number,
    startedAt: parsed.startedAt as string,
    durationMs: parsed.durationMs as number,
    command: parsed.command as string,
    ...(shard ? { shard } : {}),
    ...(digest !== undefined ? { propertiesDigest: digest } : {}),
    properties: properties as PropertyResult[],
  };
}

/** Every shard 1..n of the same n exactly once: which are missing or doubled, in words. */
function checkShardSet(reports: readonly { path: string; run: RunResult }[]): void {
  const count = reports[0]!.run.shard?.count ?? 1;
  const byIndex = new Map<number, string>();
  for (const { path, run } of reports) {
    const shard = run.shard ?? { index: 1, count: 1 };
    if (shard.count !== count)
      throw new ReportError(
        `${path}: shard ${shard.index}/${shard.count} is not one of ${count} shards, as ${reports[0]!.path} is`,
      );
    const other = byIndex.get(shard.index);
    if (other) throw new ReportError(`${path}: shard ${shard.index}/${count} is also ${other}`);
    byIndex.set(shard.index, path);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0)
    throw new ReportError(
      `shard${missing.length > 1 ? "s" : ""} ${missing.map((i) => `${i}/${count}`).join(", ")} missing: ${reports.length} of ${count} given`,
    );
}

/**
 * Joins the reports of shards of one run (same IUT, seed, cases per property
 * and property list) into the report the whole run would have written. It
 * proves the set: every shard once, none empty, no property twice, and
 * together exactly the run's property list (its digest).
 */
export function mergeReports(
  reports: readonly { path: string; run: RunResult }[],
  order: readonly string[],
): RunResult {
  const [first, ...rest] = reports;
  if (!first) throw new ReportError("report merge needs at least one report");
  for (const { path, run } of reports) {
    if (run.properties.length === 0) throw new ReportError(`${path}: an empty shard (no properties): nothing to merge`);
    if (run.propertiesDigest === undefined)
      throw new ReportError(
        `${path}: records no property-list digest (an older report?), so the set cannot be proved complete`,
      );
  }
  for (const { path, run } of rest) {
    if (run.iut.spec !== first.run.iut.spec)
      throw new ReportError(`${path}: IUT ${run.iut.spec} differs from ${first.path}'s ${first.run.iut.spec}`);
    if (run.seed !== first.run.seed)
      throw new ReportError(`${path}: seed ${run.seed} differs from ${first.path}'s ${first.run.seed}`);
    if (run.runsPerProperty !== first.run.runsPerProperty)
      throw new ReportError(
        `${path}: ${run.runsPerProperty} cases per property differs from ${first.path}'s ${first.run.runsPerProperty}`,
      );
    if (run.propertiesDigest !== first.run.propertiesDigest)
      throw new ReportError(
        `${path}: its run chose other properties than ${first.path}'s (property-list digests differ)`,
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
  checkShardSet(reports);
  if (digestOfIds([...seen.keys()]) !== first.run.propertiesDigest)
    throw new ReportError(
      `the shards hold ${seen.size} properties, which are not the whole run's list (property-list digest differs): a shard is incomplete`,
    );
  const rank = (id: string) => (order.indexOf(id) < 0 ? order.length : order.indexOf(id));
  properties.sort((a, b) => rank(a.id) - rank(b.id));
  const { shard: _shard, ...whole } = first.run;
  return {
    ...whole,
    startedAt: reports.map((r) => r.run.startedAt).sort()[0]!,
    // Shards run side by side: the merged run took as long as the slowest.
    durationMs: Math.max(...reports.map((r) => r.run.durationMs)),
    command: `nfconform report merge ${reports.map((r) => r.path).join(" ")}`,
    properties,
  };
}
