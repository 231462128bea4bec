// summary.md: what a person reads in a CI log: a table, then each failure with
// its counterexample and the command that replays it.
import type { PropertyResult, RunResult } from "../harness/results.js";
import { summarize } from "../harness/results.js";

const STATUS_MARK: Record<PropertyResult["status"], string> = {
  passed: "passed",
  failed: "**FAILED**",
  skipped: "skipped",
  "iut-error": "**IUT ERROR**",
};

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function clip(text: string, max = 600): string {
  return text.length > max ? `${text.slice(0, max)}... (${text.length} characters; see report.json)` : text;
}

function detail(p: PropertyResult): string {
  if (p.status === "failed") return p.violation?.message ?? "";
  if (p.status === "iut-error") return p.iutError?.message ?? "";
  if (p.status === "skipped") return p.skipReason ?? "";
  const notes = [];
  if (p.interrupted) notes.push("time budget ran out before all runs");
  if (p.declined) {
    const reasons = p.declinedReasons ?? [];
    notes.push(
      `${p.declined} cases declined (the IUT cannot represent them, or the model does not predict them), e.g. ${reasons.slice(0, 2).join("; ")}${reasons.length > 2 ? "; ..." : ""}`,
    );
  }
  return notes.join("; ");
}

export function markdownReport(run: RunResult): string {
  const s = summarize(run.properties);
  const hello = run.iut.hello;
  const lines = [
    `# nfconform: ${s.failed + s.iutError === 0 ? "conforms" : "does NOT conform"}`,
    "",
    `- IUT: \`${run.iut.spec}\`${hello ? ` (${hello.name} ${hello.version})` : ""}${run.iut.kernel ? `, kernel ${run.iut.kernel}` : ""}`,
    `- Seed: ${run.seed}, up to ${run.runsPerProperty} generated cases per property`,
    `- ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped, ${s.iutError} IUT errors (${(run.durationMs / 1000).toFixed(1)} s)`,
    `- Cases judged: ${run.properties.reduce((n, p) => n + p.runs + p.corpusCases, 0)}; declined (unrepresentable by the IUT or not predicted by the model): ${run.properties.reduce((n, p) => n + p.declined, 0)}`,
    "",
    "| Area | Property | Profile | Status | Cases | Detail |",
    "|---|---|---|---|---|---|",
    ...run.properties.map(
      (p) =>
        `| ${p.area} | ${p.name} | ${p.profile} | ${STATUS_MARK[p.status]} | ${p.runs}${p.corpusCases ? ` + ${p.corpusCases} saved` : ""}${p.declined ? ` (${p.declined} declined)` : ""} | ${cell(detail(p))} |`,
    ),
  ];
  for (const p of run.properties.filter((r) => r.status === "failed" || r.status === "iut-error")) {
    lines.push("", `## ${p.id}: ${p.status}`, "", p.statement, "", `Source: ${p.citation}`, "");
    if (p.violation) {
      const v = p.violation;
      lines.push(
        `Violation: ${v.message}${v.flaky ? " (the shrunk case did not fail again when re-run: flaky IUT)" : ""}`,
        "",
        `Counterexample${v.shrinks !== undefined ? ` (after ${v.shrinks} shrinks)` : ""}:`,
        "```json",
        clip(JSON.stringify(v.counterexample, null, 2), 2000),
        "```",
        `Expected: \`${cell(clip(JSON.stringify(v.expected)))}\``,
        "",
        `Observed: \`${cell(clip(JSON.stringify(v.observed)))}\``,
        "",
      );
      if (v.caseFile) lines.push(`Case file: \`${v.caseFile}\`${v.pcapFile ? `, packets: \`${v.pcapFile}\`` : ""}`, "");
      lines.push("Replay:", "```sh", v.replay, "```");
    }
    if (p.iutError) {
      lines.push(p.iutError.message, "");
      if (p.iutError.evidence) lines.push("```", clip(p.iutError.evidence, 2000), "```");
      lines.push("Rerun:", "```sh", p.rerun, "```");
    }
  }
  return `${lines.join("\n")}\n`;
}
