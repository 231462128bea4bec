// V8 block coverage of the model's compiled code while a run goes, in this
// process, through the inspector (Profiler.startPreciseCoverage): a summary
// per model/ file, the share of its bytes in blocks that ran and the
// functions called. Only what runs in this process is seen: the model
// inside an external adapter is not.
import { readFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { fileURLToPath } from "node:url";
import type { FileCoverage } from "../harness/rule-coverage.js";

interface Range {
  startOffset: number;
  endOffset: number;
  count: number;
}
interface ScriptCoverage {
  url: string;
  functions: { functionName: string; ranges: Range[] }[];
}

export interface V8Recorder {
  /** Stops measuring and summarizes the files whose path contains `/model/`. */
  stop(): Promise<FileCoverage[]>;
}

export async function startV8Coverage(): Promise<V8Recorder> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.startPreciseCoverage", { callCount: true, detailed: true });
  return {
    async stop() {
      const { result } = (await session.post("Profiler.takePreciseCoverage")) as { result: ScriptCoverage[] };
      await session.post("Profiler.stopPreciseCoverage");
      session.disconnect();
      return result
        .filter((s) => s.url.startsWith("file:") && /\/dist\/model\/.*\.js$/.test(s.url))
        .map(summarize)
        .sort((a, b) => a.file.localeCompare(b.file));
    },
  };
}

/** Paints each byte with the count of the innermost range holding it (V8's nesting), then counts. */
function summarize(script: ScriptCoverage): FileCoverage {
  const path = fileURLToPath(script.url);
  const length = readFileSync(path, "utf8").length;
  const counts = new Int32Array(length).fill(-1);
  const ranges = script.functions.flatMap((f) => f.ranges);
  ranges.sort((a, b) => b.endOffset - b.startOffset - (a.endOffset - a.startOffset));
  for (const r of ranges) counts.fill(r.count, r.startOffset, Math.min(r.endOffset, length));
  let seen = 0;
  let ran = 0;
  for (const c of counts) {
    if (c < 0) continue;
    seen++;
    if (c > 0) ran++;
  }
  const functions = script.functions.filter((f) => f.functionName !== "" || f.ranges[0]!.startOffset !== 0);
  return {
    file: path.replace(/^.*\/dist\//, ""),
    bytes: seen ? ran / seen : 0,
    functions: { total: functions.length, called: functions.filter((f) => f.ranges[0]!.count > 0).length },
  };
}
