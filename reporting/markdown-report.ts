// summary.md: what a person reads in a CI log: a table, then each failure with
// its counterexample and the command that replays it.
import type { PropertyResult, RunResult } from "../harness/results.js";
import { LOW_JUDGED_SHARE, summarize, violationsOf } from "../harness/results.js";
import { explanationLine } from "../properties/explain.js";
import { coverageMarkdown } from "./coverage-report.js";
import { markdownCell as cell } from "./markdown-cell.js";

function sum(properties: readonly PropertyResult[], count: (p: PropertyResult) => number): number {
  return properties.reduce((n, p) => n + count(p), 0);
}

const STATUS_MARK: Record<PropertyResult["status"], string> = {
  passed: "passed",
  failed: "**FAILED**",
  skipped: "skipped",
  "iut-error": "**IUT ERROR**",
};

function clip(text: string, max = 600): string {
  return text.length > max ? `${text.slice(0, max)}... (${text.length} characters; see report.json)` : text;
}

function detail(p: PropertyResult): string {
  const notes = [];
  if (p.status === "failed" && violationsOf(p).length > 1)
    notes.push(`${violationsOf(p).length} distinct violations; the first: ${violationsOf(p)[0]!.message}`);
  else if (p.status === "failed") notes.push(p.violation?.message ?? "");
  if (p.crashed) notes.push(`**the implementation crashed** on ${p.crashed} judged cases`);
  if (p.status === "iut-error") notes.push(p.iutError?.message ?? "");
  if (p.status === "skipped") notes.push(p.skipReason ?? "");
  if (p.lowJudged) notes.push(`**few judged**: ${p.lowJudged}`);
  if (p.status !== "passed") return notes.join("; ");
  if (p.interrupted) notes.push("time budget ran out before all runs");
  if (p.declined) {
    const reasons = p.declinedReasons ?? [];
    notes.push(
      `${p.declined} cases declined (the IUT cannot represent them, or the model does not predict them), e.g. ${reasons.slice(0, 2).join("; ")}${reasons.length > 2 ? "; ..." : ""}`,
    );
  }
  return notes.join("; ");
}

/** A failed or faulty property: statement, each distinct violation with its counterexample and replay, the fault. */
function failureSection(p: PropertyResult): string[] {
  const lines = ["", `## ${p.id}: ${p.status}`, "", p.statement, "", `Source: ${p.citation}`, ""];
  for (const [i, v] of violationsOf(p).entries()) {
    lines.push(
      `### Violation ${i + 1} of ${violationsOf(p).length}: ${cell(v.key)}`,
      "",
      `${v.message}${v.flaky ? " (the shrunk case did not fail again when re-run: flaky IUT)" : ""}`,
      "",
      ...(v.explanation
        ? [
            `Where the IUT leaves the model: ${explanationLine(v.explanation)}`,
            "",
            "```",
            clip(v.explanation.trace.join("\n"), 3000),
            "```",
          ]
        : []),
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
    if (v.saveError) lines.push(`Not saved in the corpus: ${v.saveError}`, "");
    lines.push("Replay:", "```sh", v.replay, "```");
  }
  if (p.lowJudged && violationsOf(p).length === 0)
    lines.push(`Too few cases judged: ${p.lowJudged}`, "", "Rerun:", "```sh", p.rerun, "```");
  if (p.iutError) {
    lines.push(p.iutError.message, "");
    if (p.iutError.evidence) lines.push("```", clip(p.iutError.evidence, 2000), "```");
    if (p.iutError.replay)
      lines.push(`The case it failed on: \`${p.iutError.caseFile}\`; replay: \`${p.iutError.replay}\``, "");
    if (p.iutError.saveError) lines.push(`The case it failed on was not saved: ${p.iutError.saveError}`, "");
    lines.push("Rerun:", "```sh", p.rerun, "```");
  }
  return lines;
}

/**
 * Every reason a case went without a verdict, with how many, per property:
 * what a run did not judge and why (reasons that differ only in numbers are
 * counted as one, shown by the first).
 */
function notJudgedSection(properties: readonly PropertyResult[]): string[] {
  const rows = properties.flatMap((p) => [
    ...(p.declinedCounts ?? []).map((r) => `| ${p.id} | declined | ${r.count} | ${cell(clip(r.reason, 300))} |`),
    ...(p.unjudgedCounts ?? []).map((r) => `| ${p.id} | not judged | ${r.count} | ${cell(clip(r.reason, 300))} |`),
    ...(p.partlyJudgedCounts ?? []).map(
      (r) => `| ${p.id} | judged in part | ${r.count} | ${cell(clip(r.reason, 300))} |`,
    ),
  ]);
  if (rows.length === 0) return [];
  return [
    "",
    "## Cases without a verdict, by reason",
    "",
    "| Property | As | Cases | Reason |",
    "|---|---|---|---|",
    ...rows,
  ];
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
    `- Cases judged: ${sum(run.properties, (p) => p.judged)}; declined (unrepresentable by the IUT or not predicted by the model): ${sum(run.properties, (p) => p.declined)}; unjudged (the IUT did not report what the property judges): ${sum(run.properties, (p) => p.unjudged)}; judged in part (the IUT left out part of what the property judges): ${sum(run.properties, (p) => p.partlyJudged ?? 0)}; crashed the implementation: ${sum(run.properties, (p) => p.crashed ?? 0)}; shrink steps: ${sum(run.properties, (p) => p.shrinkSteps)}`,
    ...(run.properties.some((p) => p.lowJudged)
      ? [
          `- Judged under ${LOW_JUDGED_SHARE * 100}% of the cases they tried (or under --min-judged): ${run.properties
            .filter((p) => p.lowJudged)
            .map((p) => p.id)
            .join(", ")}`,
        ]
      : []),
    "",
    "| Area | Property | Profile | Status | Judged | Declined | Unjudged | Replayed | Shrink steps | Detail |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...run.properties.map(
      (p) =>
        `| ${p.area} | ${p.name} | ${p.profile} | ${STATUS_MARK[p.status]} | ${p.judged} | ${p.declined} | ${p.unjudged} | ${p.corpusCases} | ${p.shrinkSteps} | ${cell(detail(p))} |`,
    ),
  ];
  lines.push(...notJudgedSection(run.properties));
  for (const p of run.properties.filter((r) => r.status === "failed" || r.status === "iut-error"))
    lines.push(...failureSection(p));
  if (run.coverage) lines.push(...coverageMarkdown(run.coverage));
  return `${lines.join("\n")}\n`;
}
