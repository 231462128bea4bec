// Runs the chosen areas' properties against one IUT and gathers the results.
import { createHash } from "node:crypto";
import type { Iut } from "../iut/iut.js";
import type { InstanceLender, IutInstances } from "../iut/iut-instances.js";
import type { AreaName, Hello } from "../iut/protocol.js";
import type { AreaDefinition, ConformanceProperty } from "../properties/property.js";
import { propertyId } from "../properties/property.js";
import type { LoadedCase } from "./corpus-store.js";
import type { PropertyResult, RunResult } from "./results.js";
import { ruleCoverage } from "./rule-coverage.js";
import { runProperty, type PropertyRunOptions } from "./run-property.js";

export interface SuitePlan {
  iut: Iut;
  /** --jobs: every instance of the IUT (`iut` first), judging a property's cases at once. */
  instances?: IutInstances;
  hello: Hello;
  areas: readonly AreaDefinition[];
  /** Profiles named with --profile; they win over the IUT's claims. */
  profileOverrides: Partial<Record<AreaName, string>>;
  /** Property names or ids to run; empty runs all. */
  propertyFilter: readonly string[];
  corpusCases: readonly LoadedCase[];
  seed: number;
  runs: number;
  /** Areas whose cases cost more get fewer (a frag6 kernel case is a namespace of its own). */
  runsByArea?: Partial<Record<AreaName, number>>;
  timeBudgetMs?: number;
  path?: string;
  /** Kinds of violation already found per property id (a campaign's earlier rounds): not reported again. */
  knownKeys?: (propertyId: string) => ReadonlySet<string> | undefined;
  /** --min-judged: a property that judged under this share (0..1) of the cases it tried fails. */
  minJudgedShare?: number;
  /** --max-violations: distinct violations a property looks for at most. */
  maxViolations?: number;
  /** --no-shrink: violations kept as found, unshrunk. */
  noShrink?: boolean;
  corpusDir: string | null;
  command: string;
  commands: PropertyRunOptions["commands"];
  kernel?: string;
  /** Run only the properties of shard `index` (1-based) of `count`: every count-th property from index-1. */
  shard?: { index: number; count: number };
  signal?: { aborted: boolean };
  onProgress?: (event: ProgressEvent) => void;
  /** --coverage: count the model rules the cases reach and report them per area. */
  coverage?: boolean;
}

export type ProgressEvent =
  | { kind: "cases"; id: string; profile: string; done: number; total: number; violations: number }
  | { kind: "done"; result: PropertyResult };

function selected(property: ConformanceProperty, filter: readonly string[]): boolean {
  return filter.length === 0 || filter.includes(property.name) || filter.includes(propertyId(property));
}

/** The profile an area is judged against, or why it cannot be. */
export function resolveProfile(
  area: AreaDefinition,
  plan: Pick<SuitePlan, "hello" | "profileOverrides">,
): { profile: string } | { problem: string } {
  const override = plan.profileOverrides[area.name];
  const claimed = plan.hello.profiles[area.name];
  const profile = override ?? claimed ?? area.defaultProfile;
  if (!area.profiles.some((p) => p.name === profile)) {
    return {
      problem: `the IUT claims profile "${profile}" for ${area.name}, which this suite does not know (known: ${area.profiles.map((p) => p.name).join(", ")})`,
    };
  }
  return { profile };
}

/** The properties a run judges: the chosen areas' properties through the filter, then its shard's share. */
export function selectProperties(
  plan: Pick<SuitePlan, "areas" | "propertyFilter" | "shard">,
): { area: AreaDefinition; property: ConformanceProperty }[] {
  const all = plan.areas.flatMap((area) =>
    area.properties.filter((p) => selected(p, plan.propertyFilter)).map((p) => ({ area, property: p })),
  );
  // Each property's cases depend only on the run seed and its id, so shards
  // of one run judge exactly what the whole run would.
  const shard = plan.shard;
  return shard ? all.filter((_, i) => i % shard.count === shard.index - 1) : all;
}

/**
 * The digest of the whole run's property list (every shard's): sha256 of the
 * sorted ids, one a line. `report merge` proves its shards complete with it.
 */
export function propertiesDigest(plan: Pick<SuitePlan, "areas" | "propertyFilter">): string {
  return digestOfIds(
    selectProperties({ areas: plan.areas, propertyFilter: plan.propertyFilter }).map(({ property }) =>
      propertyId(property),
    ),
  );
}

export function digestOfIds(ids: readonly string[]): string {
  return `sha256:${createHash("sha256")
    .update([...ids].sort().join("\n"))
    .digest("hex")}`;
}

/** A property that did not run, and why: skipped, or an IUT error that stopped the run before it. */
export function notRunResult(
  area: AreaDefinition,
  property: ConformanceProperty,
  plan: Pick<SuitePlan, "commands">,
  profile: string,
  why: { skipReason: string } | { iutError: { message: string; evidence?: string } },
): PropertyResult {
  const id = propertyId(property);
  return {
    id,
    area: area.name,
    name: property.name,
    statement: property.statement,
    citation: property.citation,
    profile,
    status: "skipReason" in why ? "skipped" : "iut-error",
    runs: 0,
    judged: 0,
    seed: 0,
    corpusCases: 0,
    declined: 0,
    unjudged: 0,
    shrinkSteps: 0,
    judgedShare: null,
    violations: [],
    interrupted: false,
    durationMs: 0,
    ...why,
    rerun: plan.commands.rerunProperty(id, []),
  };
}

/** What a report needs of a run's plan, also before the IUT said hello (or when it never did). */
export type RunIdentity = Pick<
  SuitePlan,
  "areas" | "propertyFilter" | "shard" | "seed" | "runs" | "command" | "commands" | "kernel"
> & { iut: { spec: string }; hello: Hello | null };

/** The run's header fields, shared by a finished run and a report of what was found so far. */
function runHeader(plan: RunIdentity, startedAt: Date): Omit<RunResult, "properties"> {
  return {
    iut: { spec: plan.iut.spec, hello: plan.hello, ...(plan.kernel ? { kernel: plan.kernel } : {}) },
    seed: plan.seed,
    runsPerProperty: plan.runs,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    command: plan.command,
    ...(plan.shard ? { shard: plan.shard } : {}),
    propertiesDigest: propertiesDigest(plan),
  };
}

/**
 * What a run that stopped early found: the results so far, and every property
 * it did not reach, marked with why. Every exit path writes this report.
 */
export function partialRun(
  plan: RunIdentity,
  startedAt: Date,
  found: readonly PropertyResult[],
  why: { skipReason: string } | { iutError: { message: string; evidence?: string } },
): RunResult {
  // In the run's order (properties judged at once end in any order), those not reached marked with why.
  const done = new Map(found.map((r) => [r.id, r]));
  const properties = selectProperties(plan).map(
    ({ area, property }) =>
      done.get(propertyId(property)) ?? notRunResult(area, property, plan, area.defaultProfile, why),
  );
  return { ...runHeader(plan, startedAt), properties };
}

/** Runs one property, or says why it cannot run (interrupted, area not implemented, unknown profile). */
async function runOne(
  plan: SuitePlan,
  area: AreaDefinition,
  property: ConformanceProperty,
  timeLimitMs: number | undefined,
  signal: { aborted: boolean } | undefined,
): Promise<PropertyResult> {
  const id = propertyId(property);
  const resolved = resolveProfile(area, plan);
  if (plan.signal?.aborted) {
    const profile = "profile" in resolved ? resolved.profile : area.defaultProfile;
    return notRunResult(area, property, plan, profile, {
      skipReason: "the run was interrupted before this property ran",
    });
  }
  if (!plan.hello.areas.includes(area.name)) {
    const reason = `the IUT does not implement area ${area.name} (its hello lists: ${plan.hello.areas.join(", ") || "none"})`;
    return notRunResult(area, property, plan, area.defaultProfile, { skipReason: reason });
  }
  if ("problem" in resolved)
    return notRunResult(area, property, plan, plan.hello.profiles[area.name] ?? area.defaultProfile, {
      skipReason: resolved.problem,
    });
  const runs = plan.runsByArea?.[area.name] ?? plan.runs;
  return runProperty(
    property,
    plan.iut,
    resolved.profile,
    plan.corpusCases.filter((c) => c.property === property),
    {
      runSeed: plan.seed,
      runs,
      ...(timeLimitMs !== undefined ? { timeLimitMs } : {}),
      ...(plan.path ? { path: plan.path } : {}),
      ...(plan.minJudgedShare !== undefined ? { minJudgedShare: plan.minJudgedShare } : {}),
      ...(plan.maxViolations !== undefined ? { maxViolations: plan.maxViolations } : {}),
      ...(plan.noShrink ? { noShrink: true } : {}),
      ...(plan.knownKeys?.(id) ? { knownKeys: plan.knownKeys(id)! } : {}),
      corpusDir: plan.corpusDir,
      iutName: plan.hello.name,
      ...(plan.instances ? { instances: lenderFor(plan.instances, area) } : {}),
      commands: plan.commands,
      ...(signal ? { signal } : {}),
      ...(plan.coverage ? { coverage: true } : {}),
      onProgress: (done, violations) =>
        plan.onProgress?.({ kind: "cases", id, profile: resolved.profile, done, total: runs, violations }),
    },
  );
}

/** The instances an area's cases may use: its lane when it has a limit, else all of them. */
function lenderFor(instances: IutInstances, area: AreaDefinition): InstanceLender {
  return area.maxInstances === undefined ? instances : instances.lane(area.name, area.maxInstances);
}

/**
 * Properties judged at once when the run has several instances (--jobs): their
 * cases share the instances, so what one property leaves idle (its last slow
 * cases, its shrinking, one case at a time) judges another's, and real-time
 * waits of different properties overlap. Each property's cases, verdicts and
 * shrinking are its own (seeded by its id, read in case order), whatever runs
 * beside it; results are listed in the run's order, not the order they end in.
 * Six: the default kernel run at CI's seed, idle machine, took 49.8 and 56.1 s
 * at 6, 55.0 and 56.3 s at 8, 57.3 and 58.7 s at 4 (bench/jobs.md).
 */
export const PROPERTIES_AT_ONCE = 6;

export async function runSuite(plan: SuitePlan): Promise<RunResult> {
  const startedAt = new Date();
  const work = selectProperties(plan);
  const results: PropertyResult[] = [];
  const atOnce = (plan.instances?.wanted ?? 1) > 1 ? PROPERTIES_AT_ONCE : 1;
  const deadline = plan.timeBudgetMs !== undefined ? Date.now() + plan.timeBudgetMs : undefined;
  let next = 0;
  let failure: { error: unknown } | undefined;
  // Ctrl-C, or a fault of nfconform itself in one property: the others running beside it stop at their next case.
  const signal = {
    get aborted() {
      return plan.signal?.aborted === true || failure !== undefined;
    },
  };
  const worker = async () => {
    while (next < work.length && !failure) {
      const index = next++;
      const { area, property } = work[index]!;
      // The remaining budget is shared evenly by the properties still to run, atOnce of them at a time.
      const rounds = Math.ceil((work.length - index) / atOnce);
      const timeLimitMs =
        deadline !== undefined ? Math.max(1, Math.floor((deadline - Date.now()) / rounds)) : undefined;
      try {
        const result = await runOne(plan, area, property, timeLimitMs, signal);
        results[index] = result;
        plan.onProgress?.({ kind: "done", result });
      } catch (error) {
        // A fault of nfconform itself: no further property starts; the ones running stop at their next case.
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(atOnce, work.length) }, worker));
  if (failure) throw failure.error;
  return {
    ...runHeader(plan, startedAt),
    properties: results,
    ...(plan.coverage ? { coverage: ruleCoverage(plan.areas, results) } : {}),
  };
}
