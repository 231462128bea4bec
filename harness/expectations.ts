// The stacks' expectations, as web-platform-tests keeps them per product: the
// verdict each shipped adapter's properties get at one fixed seed and number
// of runs, checked in (adapters/expectations.json). A real stack need not be
// green; a verdict that changes, either way, is what the check reports.
import type { PropertyStatus, RunResult } from "./results.js";

export const EXPECTATIONS_FORMAT = "nfconform-expectations";

export interface Expectations {
  format: typeof EXPECTATIONS_FORMAT;
  /** Every stack runs with this seed and these runs per property (and --corpus none --max-violations 1 --no-shrink). */
  seed: number;
  runs: number;
  /**
   * Per stack (adapter folder name), per property id of the areas its hello
   * lists: the verdict, or the verdicts it is known to vary between at this
   * seed (web-platform-tests' several expected statuses; say why in the
   * adapter's README).
   */
  stacks: Record<string, Record<string, Expected>>;
}

export type Expected = PropertyStatus | PropertyStatus[];

/** One verdict that moved: "absent" where a property is new or gone. */
export interface VerdictChange {
  stack: string;
  property: string;
  from: Expected | "absent";
  to: PropertyStatus | "absent";
}

const STATUSES: readonly PropertyStatus[] = ["passed", "failed", "skipped", "iut-error"];

/** Parses an expectations file's text, or throws an Error naming the file and the field. */
export function readExpectations(text: string, file: string): Expectations {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not JSON (${(error as Error).message})`);
  }
  const e = data as Partial<Expectations>;
  if (typeof e !== "object" || e === null || e.format !== EXPECTATIONS_FORMAT)
    throw new Error(`${file}: "format" must be "${EXPECTATIONS_FORMAT}"`);
  if (!Number.isSafeInteger(e.seed)) throw new Error(`${file}: "seed" must be an integer`);
  if (!Number.isSafeInteger(e.runs) || (e.runs ?? 0) < 1) throw new Error(`${file}: "runs" must be a positive integer`);
  if (typeof e.stacks !== "object" || e.stacks === null) throw new Error(`${file}: "stacks" must be an object`);
  for (const [stack, verdicts] of Object.entries(e.stacks)) {
    if (typeof verdicts !== "object" || verdicts === null)
      throw new Error(`${file}: stacks.${stack} must map property ids to verdicts`);
    for (const [property, expected] of Object.entries(verdicts)) {
      const list: unknown[] = Array.isArray(expected) ? expected : [expected];
      if (list.length === 0 || !list.every((v) => STATUSES.includes(v as PropertyStatus)))
        throw new Error(
          `${file}: stacks.${stack}["${property}"] is ${JSON.stringify(expected)}, not one of ${STATUSES.join(", ")} (or a list of them)`,
        );
    }
  }
  return e as Expectations;
}

/** A stack's verdicts from its run: every property of the areas its hello lists, by id. */
export function verdictsOf(run: RunResult): Record<string, PropertyStatus> {
  const areas = run.iut.hello?.areas ?? [];
  const verdicts: Record<string, PropertyStatus> = {};
  for (const p of run.properties) if ((areas as string[]).includes(p.area)) verdicts[p.id] = p.status;
  return verdicts;
}

/** Every property whose verdict now is not one the file expects (a property new or gone included). */
export function verdictChanges(
  stack: string,
  expected: Record<string, Expected>,
  observed: Record<string, PropertyStatus>,
): VerdictChange[] {
  const ids = [...new Set([...Object.keys(expected), ...Object.keys(observed)])].sort();
  return ids.flatMap((property) => {
    const from = expected[property] ?? "absent";
    const to = observed[property] ?? "absent";
    return allows(from, to) ? [] : [{ stack, property, from, to }];
  });
}

function allows(expected: Expected | "absent", got: PropertyStatus | "absent"): boolean {
  return Array.isArray(expected) ? (expected as string[]).includes(got) : expected === got;
}

/**
 * What update writes for a property: the verdict got, but a kept list of
 * verdicts stays while it still allows it (a known variation is not lost).
 */
export function updatedVerdicts(
  kept: Record<string, Expected> | undefined,
  observed: Record<string, PropertyStatus>,
): Record<string, Expected> {
  return Object.fromEntries(
    Object.entries(observed).map(([id, got]) => {
      const before = kept?.[id];
      return [id, Array.isArray(before) && before.includes(got) ? before : got];
    }),
  );
}

/** `dpdk frag6.matches-model: failed -> passed` (a list of verdicts joined by |) */
export function changeLine(c: VerdictChange): string {
  const from = Array.isArray(c.from) ? c.from.join("|") : c.from;
  return `${c.stack} ${c.property}: ${from} -> ${c.to}`;
}
