// `npm run power`: how reliably the suite catches each deliberately broken IUT.
// Every mutant runs its area's properties at default runs (100 per property,
// as `nfconform run --iut mutant:<name>`) on seeds 1..20, judged against the
// area's default profile (as the mutant tests judge it). A seed catches a
// mutant when any property fails. The size of a shrunk counterexample is the
// length of its JSON: one measure for every area's input shape.
//
//   npm run power [-- --seeds 20 --runs 100 --area bpf,hooks --mutant NAME]
import { ModelIut } from "../iut/model/model-iut.js";
import { MUTANTS, mutantIut } from "../iut/mutants/index.js";
import type { MutantDefinition } from "../iut/mutants/mutant.js";
import type { RunResult } from "../harness/results.js";
import { runSuite } from "../harness/run-suite.js";
import type { Iut } from "../iut/iut.js";
import { AREAS } from "../properties/areas.js";
import type { AreaDefinition } from "../properties/property.js";

interface Options {
  seeds: number;
  runs: number;
  areas: string[];
  mutants: string[];
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { seeds: 20, runs: 100, areas: [], mutants: [] };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === "--seeds") options.seeds = Number(value);
    else if (flag === "--runs") options.runs = Number(value);
    else if (flag === "--area") options.areas = value.split(",");
    else if (flag === "--mutant") options.mutants = value.split(",");
    else throw new Error(`unknown option ${flag} (known: --seeds, --runs, --area, --mutant)`);
  }
  if (!Number.isInteger(options.seeds) || options.seeds < 1) throw new Error("--seeds must be a positive integer");
  if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error("--runs must be a positive integer");
  return options;
}

/** A mutant belongs to the area its name starts with ("bpf-..." is bpf's). */
function areaOf(mutant: MutantDefinition): AreaDefinition {
  const area = AREAS.find((a) => mutant.name.startsWith(`${a.name}-`));
  if (!area) throw new Error(`mutant ${mutant.name} names no known area`);
  return area;
}

export interface MutantPower {
  mutant: string;
  area: string;
  caught: number;
  seeds: number;
  /** JSON lengths of every shrunk counterexample found (all properties, all seeds). */
  sizes: number[];
  /** Which properties caught it, with how many seeds each. */
  by: Map<string, number>;
}

const commands = { replayCase: (f: string) => `replay ${f}`, rerunProperty: (id: string) => `rerun ${id}` };

/** One area at one seed, judged against the area's default profile, kept out of any corpus. */
async function runAreaOnce(iut: Iut, area: AreaDefinition, seed: number, runs: number): Promise<RunResult> {
  return runSuite({
    iut,
    hello: await iut.hello(),
    areas: [area],
    profileOverrides: { [area.name]: area.defaultProfile },
    propertyFilter: [],
    corpusCases: [],
    seed,
    runs,
    corpusDir: null,
    command: "power",
    commands,
  });
}

export async function mutantPower(mutant: MutantDefinition, seeds: number, runs: number): Promise<MutantPower> {
  const area = areaOf(mutant);
  const power: MutantPower = { mutant: mutant.name, area: area.name, caught: 0, seeds, sizes: [], by: new Map() };
  for (let seed = 1; seed <= seeds; seed++) {
    const result = await runAreaOnce(mutantIut(mutant), area, seed, runs);
    const failed = result.properties.filter((p) => p.status === "failed" && p.violation);
    if (failed.length > 0) power.caught++;
    for (const p of failed) {
      power.sizes.push(JSON.stringify(p.violation!.counterexample).length);
      power.by.set(p.name, (power.by.get(p.name) ?? 0) + 1);
    }
  }
  return power;
}

export function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}

/** The model must pass on every seed, or a "caught" mutant means nothing. */
async function modelFailures(areas: readonly AreaDefinition[], seeds: number, runs: number): Promise<string[]> {
  const problems: string[] = [];
  for (const area of areas)
    for (let seed = 1; seed <= seeds; seed++) {
      const result = await runAreaOnce(new ModelIut({}), area, seed, runs);
      for (const p of result.properties)
        if (p.status !== "passed") problems.push(`model ${p.id} seed ${seed}: ${p.status}`);
    }
  return problems;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const mutants = MUTANTS.filter(
    (m) =>
      (options.mutants.length === 0 || options.mutants.includes(m.name)) &&
      (options.areas.length === 0 || options.areas.includes(areaOf(m).name)),
  );
  const unknown = [
    ...options.areas.filter((a) => !AREAS.some((area) => area.name === a)).map((a) => `area ${a}`),
    ...options.mutants.filter((m) => !MUTANTS.some((mutant) => mutant.name === m)).map((m) => `mutant ${m}`),
  ];
  if (unknown.length > 0) throw new Error(`unknown ${unknown.join(", ")} (nfconform list names them)`);
  if (mutants.length === 0) throw new Error("no mutant matches --area and --mutant together");
  const areas = AREAS.filter((a) => mutants.some((m) => areaOf(m) === a));
  const started = Date.now();
  const rows: MutantPower[] = [];
  console.log(`seeds 1..${options.seeds}, ${options.runs} runs per property, each area's default profile\n`);
  console.log("| mutant | area | caught | median size | caught by (seeds) |");
  console.log("| --- | --- | --- | --- | --- |");
  for (const mutant of mutants) {
    const p = await mutantPower(mutant, options.seeds, options.runs);
    rows.push(p);
    const by = [...p.by].map(([name, n]) => `${name} (${n})`).join(", ");
    console.log(`| ${p.mutant} | ${p.area} | ${p.caught}/${p.seeds} | ${median(p.sizes) ?? "-"} | ${by || "-"} |`);
  }
  console.log("\n| area | mutants | all seeds caught | median counterexample size (JSON chars) |");
  console.log("| --- | --- | --- | --- |");
  for (const area of areas) {
    const of = rows.filter((r) => r.area === area.name);
    const full = of.filter((r) => r.caught === r.seeds).length;
    console.log(
      `| ${area.name} | ${of.length} | ${full}/${of.length} | ${median(of.flatMap((r) => r.sizes)) ?? "-"} |`,
    );
  }
  const problems = await modelFailures(areas, options.seeds, options.runs);
  console.log(problems.length === 0 ? "\nmodel: passed on every seed" : `\nmodel: ${problems.join("; ")}`);
  console.log(`elapsed ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((e: unknown) => {
  console.error(`power: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
});
