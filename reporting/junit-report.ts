// junit.xml: one testcase per property; failures carry the counterexample and
// the replay command, IUT errors are <error>, skips say why.
import type { PropertyResult, RunResult, Violation } from "../harness/results.js";
import { summarize, violationsOf } from "../harness/results.js";
import { explanationLine } from "../properties/explain.js";

function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function violationText(v: Violation, index: number): string {
  return [
    `violation ${index + 1} (${v.key}): ${v.message}`,
    ...(v.explanation ? [explanationLine(v.explanation)] : []),
    `counterexample: ${JSON.stringify(v.counterexample)}`,
    `expected: ${JSON.stringify(v.expected)}`,
    `observed: ${JSON.stringify(v.observed)}`,
    ...(v.caseFile ? [`case file: ${v.caseFile}`] : []),
    ...(v.pcapFile ? [`pcap: ${v.pcapFile}`] : []),
    ...(v.saveError ? [`not saved: ${v.saveError}`] : []),
    `replay: ${v.replay}`,
  ].join("\n");
}

function property(name: string, value: string | number): string {
  return `<property name="${name}" value="${escapeXml(String(value))}"/>`;
}

function testcase(p: PropertyResult): string {
  const open = `    <testcase classname="nfconform.${escapeXml(p.area)}" name="${escapeXml(p.name)}" time="${seconds(p.durationMs)}">`;
  const props = `      <properties>${[
    property("profile", p.profile),
    property("runs", p.runs),
    property("judged", p.judged),
    property("declined", p.declined),
    property("unjudged", p.unjudged),
    property("corpusCases", p.corpusCases),
    property("shrinkSteps", p.shrinkSteps),
    ...(p.lowJudged ? [property("lowJudged", p.lowJudged)] : []),
    property("seed", p.seed),
    property("citation", p.citation),
  ].join("")}</properties>`;
  let body = "";
  if (p.status === "failed" && violationsOf(p).length > 0) {
    const n = violationsOf(p).length;
    const first = violationsOf(p)[0]!;
    const why = first.explanation ? ` (${explanationLine(first.explanation)})` : "";
    const message = n === 1 ? `${first.message}${why}` : `${n} distinct violations; the first: ${first.message}${why}`;
    const text = [p.statement, ...violationsOf(p).map(violationText)].join("\n\n");
    body = `      <failure message="${escapeXml(message)}" type="violation">${escapeXml(text)}</failure>\n`;
  } else if (p.status === "failed") {
    // Under --min-judged: too few cases judged for the verdict to stand.
    const message = p.lowJudged ?? "too few cases judged";
    body = `      <failure message="${escapeXml(message)}" type="too-few-judged">${escapeXml(`${p.statement}\n${message}\nrerun: ${p.rerun}`)}</failure>\n`;
  } else if (p.status === "iut-error" && p.iutError) {
    const text = [
      p.iutError.message,
      ...(p.iutError.evidence ? [`evidence: ${p.iutError.evidence}`] : []),
      ...(p.iutError.replay ? [`the case it failed on: ${p.iutError.caseFile}`, `replay: ${p.iutError.replay}`] : []),
      ...(p.iutError.saveError ? [`the case it failed on was not saved: ${p.iutError.saveError}`] : []),
      `rerun: ${p.rerun}`,
      // Violations found before the fault are kept.
      ...violationsOf(p).map((v, i) => `\n${violationText(v, i)}`),
    ].join("\n");
    body = `      <error message="${escapeXml(p.iutError.message)}" type="iut-error">${escapeXml(text)}</error>\n`;
  } else if (p.status === "skipped") {
    body = `      <skipped message="${escapeXml(p.skipReason ?? "skipped")}"/>\n`;
  } else if (p.lowJudged) {
    body = `      <system-out>${escapeXml(`few cases judged: ${p.lowJudged}`)}</system-out>\n`;
  }
  return `${open}\n${props}\n${body}    </testcase>`;
}

export function junitReport(run: RunResult): string {
  const areas = [...new Set(run.properties.map((p) => p.area))];
  const total = summarize(run.properties);
  const suites = areas.map((area) => {
    const results = run.properties.filter((p) => p.area === area);
    const s = summarize(results);
    const time = results.reduce((t, p) => t + p.durationMs, 0);
    return [
      `  <testsuite name="nfconform.${escapeXml(area)}" tests="${results.length}" failures="${s.failed}" errors="${s.iutError}" skipped="${s.skipped}" time="${seconds(time)}">`,
      ...results.map(testcase),
      "  </testsuite>",
    ].join("\n");
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="nfconform ${escapeXml(run.iut.spec)} seed ${run.seed}" tests="${run.properties.length}" failures="${total.failed}" errors="${total.iutError}" skipped="${total.skipped}" time="${seconds(run.durationMs)}">`,
    ...suites,
    `</testsuites>`,
    "",
  ].join("\n");
}
