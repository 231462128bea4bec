// Progress on stderr: area, property, cases done, violations so far. Live
// updates are throttled; every property ends with one line of its verdict.
import { describeCounts, violationsOf } from "../harness/results.js";
import type { ProgressEvent } from "../harness/run-suite.js";

export function progressPrinter(write: (line: string) => void, intervalMs = 1000): (event: ProgressEvent) => void {
  let lastPrinted = 0;
  return (event) => {
    if (event.kind === "cases") {
      const now = Date.now();
      if (now - lastPrinted < intervalMs) return;
      lastPrinted = now;
      write(
        `  ${event.id} [${event.profile}]: ${event.done}/${event.total} cases, ${event.violations} violations so far`,
      );
      return;
    }
    const r = event.result;
    const violations = violationsOf(r);
    const detail =
      r.status === "failed" && violations.length > 1
        ? `: ${violations.length} distinct violations; the first: ${violations[0]!.message}`
        : r.status === "failed"
          ? `: ${r.violation?.message ?? r.lowJudged}`
          : r.status === "iut-error"
            ? `: ${r.iutError?.message}${r.iutError?.replay ? `; replay: ${r.iutError.replay}` : ""}`
            : r.status === "skipped"
              ? `: ${r.skipReason}`
              : r.interrupted
                ? " (interrupted before its runs were done: time budget or signal)"
                : "";
    const few = r.lowJudged && r.status !== "failed" ? ` [few judged: ${r.lowJudged}]` : "";
    write(
      `${r.status.toUpperCase().padEnd(9)} ${r.id} [${r.profile}] ${describeCounts(r)}, ${(r.durationMs / 1000).toFixed(2)} s${few}${detail}`,
    );
  };
}
