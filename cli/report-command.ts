// `nfconform report merge DIR... [--out DIR]`: joins the reports of shards.
import { realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import { propertyId } from "../properties/property.js";
import type { RunResult } from "../harness/results.js";
import { AREAS } from "../properties/areas.js";
import { mergeReports, readReport, ReportError } from "../reporting/read-report.js";
import { parseOptions } from "./options.js";
import { pathOption, prepareOutputDir } from "./output-dirs.js";
import { finishRun } from "./finish-run.js";
import { UsageError } from "./usage-error.js";

function samePath(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  return real(a) === real(b);
}

export function reportCommand(argv: string[], io: { stderr: (line: string) => void }): number {
  const [verb, ...rest] = argv;
  if (verb !== "merge")
    throw new UsageError(
      `report needs a verb: nfconform report merge DIR... [--out DIR] (got ${JSON.stringify(verb ?? "")})`,
    );
  const { values, positionals } = parseOptions(rest, { out: { type: "string" } }, Number.MAX_SAFE_INTEGER);
  if (positionals.length === 0) throw new UsageError("report merge needs the report folders of the shards");
  const out = resolve(pathOption("out", values.out) ?? "reports/merged");
  // Writing the merge over one of its inputs would destroy a shard's report.
  for (const dir of positionals)
    if (samePath(resolve(dir), out))
      throw new UsageError(`report merge: --out ${JSON.stringify(values.out ?? out)} is one of its inputs (${dir})`);
  let merged: RunResult;
  try {
    const reports = positionals.map((dir) => ({ path: dir, run: readReport(join(dir, "report.json")) }));
    const order = AREAS.flatMap((a) => a.properties.map(propertyId));
    merged = mergeReports(reports, order);
  } catch (error) {
    if (error instanceof ReportError) throw new UsageError(error.message);
    throw error;
  }
  // Shards proved whole first (quick, and a refused merge leaves no folder behind).
  return finishRun(merged, prepareOutputDir("out", out, { keep: true }), io);
}
