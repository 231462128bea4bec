// Summarizes Stryker's JSON report per area of model/: mutation score and
// every surviving mutant (file, line, mutator, replacement), as Markdown.
//
//   node scripts/mutation-summary.mjs [report.json] [summary.md]
//   node scripts/mutation-summary.mjs summary.md part1.json part2.json ... \
//     [--rerun rerun1.json ...] [--merged merged.json]
//
// Several reports (runs of different files, `--mutate`) are joined. A mutant
// that a --rerun report (the same files, rerun after adding tests, e.g. with
// NFCONFORM_MUTATION_TESTS=model) killed or timed out counts as detected: the
// two runs together are the whole suite with the added tests.
import { readFileSync, writeFileSync } from "node:fs";

const args = process.argv.slice(2);
const inputs = [];
const reruns = [];
let output = "reports/mutation/summary.md";
let merged = null;
for (let i = 0, list = inputs; i < args.length; i++) {
  if (args[i] === "--rerun") list = reruns;
  else if (args[i] === "--merged") merged = args[++i];
  else if (args[i].endsWith(".md")) output = args[i];
  else list.push(args[i]);
}
if (inputs.length === 0) inputs.push("reports/mutation/mutation.json");
const read = (path) => JSON.parse(readFileSync(path, "utf8"));
const report = read(inputs[0]);
for (const path of inputs.slice(1)) Object.assign(report.files, read(path).files);
const key = (m) =>
  `${m.location.start.line}:${m.location.start.column}-${m.location.end.line}:${m.location.end.column} ${m.mutatorName} ${m.replacement}`;
const detected = (status) => status === "Killed" || status === "Timeout";
for (const path of reruns) {
  for (const [file, rerun] of Object.entries(read(path).files)) {
    const base = report.files[file];
    if (!base) throw new Error(`${path}: ${file} is in no report given before --rerun`);
    if (base.source !== rerun.source) throw new Error(`${path}: ${file} changed between the runs; measure it again`);
    const again = new Map(rerun.mutants.map((m) => [key(m), m]));
    for (const m of base.mutants) {
      const n = again.get(key(m));
      if (!n) continue;
      if (!detected(m.status) && detected(n.status))
        Object.assign(m, {
          status: n.status,
          killedBy: n.killedBy,
          statusReason: `rerun (${path}): ${n.statusReason ?? ""}`,
        });
      else if (m.status === "NoCoverage" && n.status === "Survived") m.status = "Survived";
    }
  }
}
if (merged) writeFileSync(merged, JSON.stringify(report));
const areas = new Map();
for (const [file, { mutants }] of Object.entries(report.files)) {
  const area = file.split("/")[1] ?? file;
  const a = areas.get(area) ?? {
    mutants: 0,
    killed: 0,
    survived: 0,
    noCoverage: 0,
    timeout: 0,
    ignored: 0,
    other: 0,
    survivors: [],
  };
  for (const m of mutants) {
    a.mutants++;
    if (m.status === "Killed") a.killed++;
    else if (m.status === "Timeout") a.timeout++;
    else if (m.status === "Survived") a.survived++;
    else if (m.status === "NoCoverage") a.noCoverage++;
    else if (m.status === "Ignored") a.ignored++;
    else a.other++;
    if (m.status === "Survived" || m.status === "NoCoverage") {
      a.survivors.push(
        `${file}:${m.location.start.line} ${m.mutatorName} -> \`${String(m.replacement ?? "")
          .replace(/\s+/g, " ")
          .slice(0, 80)}\` (${m.status})`,
      );
    }
  }
  areas.set(area, a);
}
const lines = [
  "# Mutation score of model/ (Stryker)",
  "",
  "| area | mutants | ignored (static) | killed | timeout | survived | no coverage | other | score |",
  "|---|---|---|---|---|---|---|---|---|",
];
for (const [area, a] of areas) {
  const detected = a.killed + a.timeout;
  const valid = detected + a.survived + a.noCoverage;
  const score = valid ? `${((100 * detected) / valid).toFixed(1)}%` : "-";
  lines.push(
    `| ${area} | ${a.mutants} | ${a.ignored} | ${a.killed} | ${a.timeout} | ${a.survived} | ${a.noCoverage} | ${a.other} | ${score} |`,
  );
}
for (const [area, a] of areas) {
  if (a.survivors.length) lines.push("", `## ${area}: survivors`, "", ...a.survivors.map((s) => `- ${s}`));
}
writeFileSync(output, `${lines.join("\n")}\n`);
console.log(lines.slice(0, 4 + areas.size).join("\n"));
