// junit.xml: one testcase per property; failures carry the counterexample and
// the replay command, IUT errors are <error>, skips say why.
import type { PropertyResult, RunResult } from "../harness/results.js";
import { summarize } from "../harness/results.js";

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

function testcase(p: PropertyResult): string {
  const open = `    <testcase classname="nfconform.${escapeXml(p.area)}" name="${escapeXml(p.name)}" time="${seconds(p.durationMs)}">`;
  const props = `      <properties><property name="profile" value="${escapeXml(p.profile)}"/><property name="runs" value="${p.runs}"/><property name="declined" value="${p.declined}"/><property name="seed" value="${p.seed}"/><property name="citation" value="${escapeXml(p.citation)}"/></properties>`;
  let body = "";
  if (p.status === "failed" && p.violation) {
    const v = p.violation;
    const text = [
      `${p.statement}`,
      `violation: ${v.message}`,
      `counterexample: ${JSON.stringify(v.counterexample)}`,
      `expected: ${JSON.stringify(v.expected)}`,
      `observed: ${JSON.stringify(v.observed)}`,
      ...(v.caseFile ? [`case file: ${v.caseFile}`] : []),
      ...(v.pcapFile ? [`pcap: ${v.pcapFile}`] : []),
      `replay: ${v.replay}`,
    ].join("\n");
    body = `      <failure message="${escapeXml(v.message)}" type="violation">${escapeXml(text)}</failure>\n`;
  } else if (p.status === "iut-error" && p.iutError) {
    const text = [
      p.iutError.message,
      ...(p.iutError.evidence ? [`evidence: ${p.iutError.evidence}`] : []),
      `rerun: ${p.rerun}`,
    ].join("\n");
    body = `      <error message="${escapeXml(p.iutError.message)}" type="iut-error">${escapeXml(text)}</error>\n`;
  } else if (p.status === "skipped") {
    body = `      <skipped message="${escapeXml(p.skipReason ?? "skipped")}"/>\n`;
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
