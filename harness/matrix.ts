// The conformance matrix: the same generated cases against several IUTs, each
// judged against the profile it claims, and whether their answers agree.
import fc from "fast-check";
import { AdapterReplyError, IutError, type Iut } from "../iut/iut.js";
import { ModelIut } from "../iut/model/model-iut.js";
import type { Hello } from "../iut/protocol.js";
import { explanationLine } from "../properties/explain.js";
import type { AreaDefinition, CheckOutcome, ConformanceProperty } from "../properties/property.js";
import { propertyId } from "../properties/property.js";
import { crashOutcome } from "./case-run.js";
import { ruleCoverage, type RuleCoverage } from "./rule-coverage.js";
import { CorpusError, saveCase } from "./corpus-store.js";
import { resolveProfile } from "./run-suite.js";
import { propertySeed } from "./seeds.js";

export interface MatrixIut {
  spec: string;
  iut: Iut;
  hello: Hello;
}

export interface MatrixCell {
  profile: string | null;
  conform: number;
  violate: number;
  declined: number;
  /** Why the IUT was not asked at all, or stopped being asked (IUT error). */
  note?: string;
  /** The first violation, saved and replayable, with the model rule it leaves (one line); pcapFile when the case holds packets (saved beside it). matrix.json names both files relative to its own directory. */
  example?: { message: string; rule?: string; caseFile?: string; pcapFile?: string; replay: string };
  /** --coverage: per model rule id, how many of this IUT's judged cases reached it. */
  ruleHits?: Record<string, number>;
  /** --coverage: per model rule id, how many cases this IUT declined would have reached it (the model's answer). */
  declinedRuleHits?: Record<string, number>;
}

export interface MatrixRow {
  id: string;
  area: string;
  statement: string;
  cells: MatrixCell[];
  /** Cases every asked IUT judged, and how many of them got the same observation from all. */
  compared: number;
  agreed: number;
  /** One case where the IUTs' observations differ. */
  disagreement?: { input: unknown; observed: unknown[] };
}

export interface MatrixResult {
  seed: number;
  runs: number;
  iuts: { spec: string; hello: Hello }[];
  rows: MatrixRow[];
  /** --coverage: the model rules each IUT's cases reached, per area. */
  coverage?: { iut: string; coverage: RuleCoverage }[];
}

export interface MatrixPlan {
  iuts: readonly MatrixIut[];
  areas: readonly AreaDefinition[];
  propertyFilter: readonly string[];
  seed: number;
  runs: number;
  corpusDir: string | null;
  replayCommand: (caseFile: string, iutSpec: string) => string;
  onProgress?: (id: string) => void;
  coverage?: boolean;
  /** --profile area=name: every IUT judged against that profile, not the one it claims (rfc8200 for any stack). */
  profileOverrides?: Partial<Record<AreaDefinition["name"], string>>;
}

type Observation =
  | {
      kind: "judged";
      ok: boolean;
      observed: unknown;
      message?: string;
      expected: unknown;
      rules?: CheckOutcome["rules"];
      explanation?: CheckOutcome["explanation"];
    }
  | { kind: "declined" }
  | { kind: "error"; message: string };

async function observe(
  property: ConformanceProperty,
  iut: Iut,
  profile: string,
  input: unknown,
  coverage: boolean,
): Promise<Observation> {
  try {
    await iut.call("reset", {});
    const outcome = await property.check(input, { iut, profile, ...(coverage ? { collectRules: true } : {}) });
    // An answer without what the property judges (ICMP not reported) is no verdict: counted with the declined.
    if (outcome.judged === false) return { kind: "declined" };
    return {
      kind: "judged",
      ok: outcome.ok,
      observed: outcome.observed,
      expected: outcome.expected,
      ...(outcome.message ? { message: outcome.message } : {}),
      ...(outcome.rules ? { rules: outcome.rules } : {}),
      ...(outcome.explanation ? { explanation: outcome.explanation } : {}),
    };
  } catch (error) {
    // A crash of the implementation is a finding about this case: a violation, as `run` judges it.
    if (error instanceof AdapterReplyError && error.code === "crashed")
      return { kind: "judged", ...crashOutcome(error.detail) };
    if (error instanceof AdapterReplyError && error.code !== "internal") return { kind: "declined" };
    if (error instanceof IutError || error instanceof AdapterReplyError)
      return { kind: "error", message: error.message };
    return {
      kind: "judged",
      ok: false,
      observed: { error: String(error) },
      expected: null,
      message: `the check could not judge the reply: ${String(error)}`,
    };
  }
}

/** Adds one case's rules (each once) to a cell's counts. */
function countRules(
  into: Record<string, number> | undefined,
  rules: readonly { rule: string }[] | undefined,
): Record<string, number> {
  const out = into ?? {};
  for (const rule of new Set((rules ?? []).map((h) => h.rule))) out[rule] = (out[rule] ?? 0) + 1;
  return out;
}

export async function runMatrix(plan: MatrixPlan): Promise<MatrixResult> {
  const rows: MatrixRow[] = [];
  const declinedModels: Record<string, ModelIut> = {};
  for (const area of plan.areas) {
    for (const property of area.properties) {
      const id = propertyId(property);
      if (
        plan.propertyFilter.length &&
        !plan.propertyFilter.includes(id) &&
        !plan.propertyFilter.includes(property.name)
      )
        continue;
      plan.onProgress?.(id);
      // One set of inputs for every IUT, generated as for the area's default profile.
      const inputs = fc.sample(property.arbitrary(area.defaultProfile), {
        seed: propertySeed(plan.seed, id),
        numRuns: plan.runs,
      });
      const cells: MatrixCell[] = plan.iuts.map(({ hello }) => {
        if (!hello.areas.includes(area.name))
          return { profile: null, conform: 0, violate: 0, declined: 0, note: `does not implement ${area.name}` };
        const resolved = resolveProfile(area, { hello, profileOverrides: plan.profileOverrides ?? {} });
        return "problem" in resolved
          ? { profile: null, conform: 0, violate: 0, declined: 0, note: resolved.problem }
          : { profile: resolved.profile, conform: 0, violate: 0, declined: 0 };
      });
      const row: MatrixRow = { id, area: area.name, statement: property.statement, cells, compared: 0, agreed: 0 };
      for (const input of inputs) {
        const observations: Observation[] = [];
        for (const [i, { iut, spec }] of plan.iuts.entries()) {
          const cell = cells[i]!;
          if (cell.profile === null || cell.note) {
            observations.push({ kind: "declined" });
            continue;
          }
          const seen = await observe(property, iut, cell.profile, input, plan.coverage === true);
          observations.push(seen);
          if (plan.coverage && seen.kind === "judged") cell.ruleHits = countRules(cell.ruleHits, seen.rules);
          if (plan.coverage && seen.kind === "declined") {
            // The model answers in the IUT's place: a rule only declined cases reach is out of this IUT's reach.
            const key = `${i} ${area.name} ${cell.profile}`;
            declinedModels[key] ??= new ModelIut({ profiles: { [area.name]: cell.profile } });
            const model = declinedModels[key];
            const answered = await observe(property, model, cell.profile, input, true);
            if (answered.kind === "judged") cell.declinedRuleHits = countRules(cell.declinedRuleHits, answered.rules);
          }
          if (seen.kind === "error") {
            cell.note = `IUT error: ${seen.message}`;
          } else if (seen.kind === "declined") {
            cell.declined++;
          } else if (seen.ok) {
            cell.conform++;
          } else {
            cell.violate++;
            if (!cell.example) cell.example = exampleFor(plan, property, cell.profile, spec, input, seen);
          }
        }
        const judged = observations.filter((o) => o.kind === "judged");
        if (judged.length === observations.length && judged.length > 1) {
          row.compared++;
          const first = JSON.stringify(judged[0]!.observed);
          if (judged.every((o) => JSON.stringify(o.observed) === first)) row.agreed++;
          else row.disagreement ??= { input, observed: judged.map((o) => o.observed) };
        }
      }
      rows.push(row);
    }
  }
  return {
    seed: plan.seed,
    runs: plan.runs,
    iuts: plan.iuts.map(({ spec, hello }) => ({ spec, hello })),
    rows,
    ...(plan.coverage ? { coverage: matrixCoverage(plan, rows) } : {}),
  };
}

/** Each IUT's rule coverage, from its cells. */
function matrixCoverage(plan: MatrixPlan, rows: readonly MatrixRow[]): { iut: string; coverage: RuleCoverage }[] {
  return plan.iuts.map(({ spec }, i) => ({
    iut: spec,
    coverage: ruleCoverage(
      plan.areas,
      rows.flatMap((row) => {
        const cell = row.cells[i]!;
        return cell.profile === null || !cell.ruleHits
          ? []
          : [
              {
                area: row.area as AreaDefinition["name"],
                profile: cell.profile,
                ruleHits: cell.ruleHits,
                ...(cell.declinedRuleHits ? { declinedRuleHits: cell.declinedRuleHits } : {}),
              },
            ];
      }),
    ),
  }));
}

function exampleFor(
  plan: MatrixPlan,
  property: ConformanceProperty,
  profile: string,
  spec: string,
  input: unknown,
  seen: Extract<Observation, { kind: "judged" }>,
): MatrixCell["example"] {
  const message = seen.message ?? "differs from the model";
  const rule = seen.explanation ? { rule: explanationLine(seen.explanation) } : {};
  if (plan.corpusDir === null)
    return { message, ...rule, replay: "(not saved: matrix saves examples with --corpus DIR)" };
  const outcome = { ok: false, expected: seen.expected, observed: seen.observed, message };
  let saved: ReturnType<typeof saveCase>;
  try {
    saved = saveCase(
      plan.corpusDir,
      {
        area: property.area,
        property: property.name,
        profile,
        input,
        expected: seen.expected,
        observed: seen.observed,
        message,
        foundBy: { iut: spec, iutName: null, seed: plan.seed, savedAt: new Date().toISOString() },
      },
      property.packets?.(input, outcome),
    );
  } catch (error) {
    // A corpus that cannot take the case must not lose the matrix: the cell keeps the finding and says why it has no file.
    if (!(error instanceof CorpusError)) throw error;
    return { message, ...rule, replay: `(not saved: ${error.message})` };
  }
  return {
    message,
    ...rule,
    caseFile: saved.caseFile,
    ...(saved.pcapFile ? { pcapFile: saved.pcapFile } : {}),
    replay: plan.replayCommand(saved.caseFile, spec),
  };
}
