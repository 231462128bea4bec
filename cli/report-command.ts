// `nfconform report merge DIR... [--out DIR]`: joins the reports of shards.
import { join } from "node:path";
import { propertyId } from "../properties/property.js";
import { AREAS } from "../properties/areas.js";
import { mergeReports, readReport, ReportError } from "../reporting/read-report.js";
import { parseOptions } from "./options.js";
import { pathOption, prepareOutputDir } from "./output-dirs.js";
import { finishRun } from "./finish-run.js";
import { UsageError } from "./usage-error.js";

export function reportCommand(argv: string[], io: { stderr: (line: string) => void }): number {
  const [verb, ...rest] = argv;
  if (verb !== "merge")
    throw new UsageError(
      `report needs a verb: nfconform report merge DIR... [--out DIR] (got ${JSON.stringify(verb ?? "")})`,
    );
  const { values, positionals } = parseOptions(rest, { out: { type: "string" } }, Number.MAX_SAFE_INTEGER);
  if (positionals.length === 0) throw new UsageError("report merge needs the report folders of the shards");
  const outDir = prepareOutputDir("out", pathOption("out", values.out) ?? "reports/merged", { keep: true });
  try {
    const reports = positionals.map((dir) => ({ path: dir, run: readReport(join(dir, "report.json")) }));
    const order = AREAS.flatMap((a) => a.properties.map(propertyId));
    const merged = mergeReports(reports, order);
    return finishRun(merged, outDir, io);
  } catch (error) {
    if (error instanceof ReportError) throw new UsageError(error.message);
    throw error;
  }
}
