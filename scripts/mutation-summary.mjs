// Summarizes Stryker's JSON report per area of model/: mutation score and
// every surviving mutant (file, line, mutator, replacement), as Markdown.
import { readFileSync, writeFileSync } from "node:fs";

const [input = "reports/mutation/mutation.json", output = "reports/mutation/summary.md"] = process.argv.slice(2);
const report = JSON.parse(readFileSync(input, "utf8"));
const areas = new Map();
for (const [file, { mutants }] of Object.entries(report.files)) {
  const area = file.split("/")[1] ?? file;
  const a = areas.get(area) ?? { killed: 0, survived: 0, noCoverage: 0, timeout: 0, other: 0, survivors: [] };
  for (const m of mutants) {
    if (m.status === "Killed") a.killed++;
    else if (m.status === "Timeout") a.timeout++;
    else if (m.status === "Survived") a.survived++;
    else if (m.status === "NoCoverage") a.noCoverage++;
    else a.other++;
    if (m.status === "Survived" || m.status === "NoCoverage") {
      a.survivors.push(`${file}:${m.location.start.line} ${m.mutatorName} -> \`${String(m.replacement ?? "").replace(/\s+/g, " ").slice(0, 80)}\` (${m.status})`);
    }
  }
  areas.set(area, a);
}
const lines = ["# Mutation score of model/ (Stryker)", "", "| area | killed | timeout | survived | no coverage | score |", "|---|---|---|---|---|---|"];
for (const [area, a] of areas) {
  const detected = a.killed + a.timeout;
  const valid = detected + a.survived + a.noCoverage;
  lines.push(`| ${area} | ${a.killed} | ${a.timeout} | ${a.survived} | ${a.noCoverage} | ${valid ? ((100 * detected) / valid).toFixed(1) : "-"}% |`);
}
for (const [area, a] of areas) {
  if (a.survivors.length) lines.push("", `## ${area}: survivors`, "", ...a.survivors.map((s) => `- ${s}`));
}
writeFileSync(output, `${lines.join("\n")}\n`);
console.log(lines.slice(0, 4 + areas.size).join("\n"));
