// The options `run`, `fuzz` and `matrix` share, read once into a plan, and
// the start of an IUT session (hello), with every failure a one-line UsageError.
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { loadCorpus, type LoadedCase } from "../harness/corpus-store.js";
import { selectProperties } from "../harness/run-suite.js";
import { randomRunSeed } from "../harness/seeds.js";
import { IutError, type Iut } from "../iut/iut.js";
import { IutInstances } from "../iut/iut-instances.js";
import type { AreaName, Hello } from "../iut/protocol.js";
import { AREAS } from "../properties/areas.js";
import type { AreaDefinition } from "../properties/property.js";
import { pathOption, prepareOutputDir } from "./output-dirs.js";
import { durationOption, integerOption } from "./options.js";
import { areaOption, profileOption } from "./area-options.js";
import { DEFAULT_IUT, resolveIut } from "./resolve-iut.js";
import { UsageError } from "./usage-error.js";

/**
 * Generated cases per property; the kernel gets more, so a default run judges
 * over 1,000 kernel cases per area, except frag6, whose kernel cases cost a
 * namespace each (timed ones over a second): 100 a property there.
 */
export const DEFAULT_RUNS = 100;
export const DEFAULT_RUNS_LINUX = 300;
/** The kernel IUT's specs, before any `:bpf=...` (resolve-iut.ts). */
const KERNEL_IUTS = ["linux", "linux-nfct"];
const DEFAULT_RUNS_LINUX_BY_AREA: Partial<Record<AreaName, number>> = { frag6: DEFAULT_RUNS };

/**
 * --jobs: IUT instances that judge a property's cases at once. The kernel's
 * cases mostly wait (frag6 timers, RCU grace periods, conntrack timeouts), so
 * several adapters, each with its own namespaces, overlap those waits even on
 * two cores (bench/jobs.md has the measurements behind this number). The
 * model answers in-process at CPU speed: more instances gain nothing there,
 * and an external adapter is not known to be safe to start twice, so both
 * default to one. The kernel adapter sets an area up on its first request and
 * starts without a Node process around it (0.5 s of CPU); measured at CI's
 * seed on this 2-core machine under the same load, the whole default run took
 * 269 s at 8, 210 s at 16 and 162 s at 24, with the same verdicts and counts.
 */
const DEFAULT_JOBS_LINUX = 24;
const MAX_JOBS = 64;

export const SUITE_OPTIONS = {
  iut: { type: "string" },
  area: { type: "string", multiple: true },
  profile: { type: "string", multiple: true },
  property: { type: "string", multiple: true },
  seed: { type: "string" },
  runs: { type: "string" },
  out: { type: "string" },
  corpus: { type: "string" },
  timeout: { type: "string" },
  jobs: { type: "string" },
  coverage: { type: "boolean" },
} as const;

export interface SuiteValues {
  iut?: string;
  area?: string[];
  profile?: string[];
  property?: string[];
  seed?: string;
  runs?: string;
  out?: string;
  corpus?: string;
  timeout?: string;
  jobs?: string;
}

export interface SuiteSettings {
  iutSpec: string;
  areas: AreaDefinition[];
  profileOverrides: Partial<Record<AreaName, string>>;
  propertyFilter: string[];
  seed: number;
  seedGiven: boolean;
  runs: number;
  /** Per-area defaults when --runs was not given. */
  runsByArea: Partial<Record<AreaName, number>>;
  timeoutMs?: number;
  /** IUT instances judging cases at once (--jobs). */
  jobs: number;
  corpusDir: string | null;
  outDir: string;
  startedAt: Date;
}

function timestamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, "-");
}

export function readSuiteSettings(values: SuiteValues, defaults: { runs?: number } = {}): SuiteSettings {
  const iutSpec = values.iut ?? DEFAULT_IUT;
  const areas = areaOption(values.area);
  const propertyFilter = values.property ?? [];
  for (const wanted of propertyFilter) {
    const known = areas.some((a) => a.properties.some((p) => p.name === wanted || `${p.area}.${p.name}` === wanted));
    if (!known) throw new UsageError(`--property: no property "${wanted}" in the chosen areas (see nfconform list)`);
  }
  const seed = integerOption("seed", values.seed, 0, 0x7fffffff);
  const timeoutMs = durationOption("timeout", values.timeout);
  const runsGiven = integerOption("runs", values.runs, 1, 100_000_000);
  const kernel = KERNEL_IUTS.includes(iutSpec.split(":")[0]!);
  const jobs = integerOption("jobs", values.jobs, 1, MAX_JOBS) ?? (kernel ? DEFAULT_JOBS_LINUX : 1);
  const startedAt = new Date();
  return {
    iutSpec,
    areas,
    profileOverrides: profileOption(values.profile),
    propertyFilter,
    seed: seed ?? randomRunSeed(),
    seedGiven: seed !== undefined,
    runs: runsGiven ?? defaults.runs ?? (kernel ? DEFAULT_RUNS_LINUX : DEFAULT_RUNS),
    runsByArea: runsGiven === undefined && defaults.runs === undefined && kernel ? DEFAULT_RUNS_LINUX_BY_AREA : {},
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    jobs,
    corpusDir: values.corpus === "none" ? null : resolve(pathOption("corpus", values.corpus) ?? "corpus"),
    outDir: resolve(pathOption("out", values.out) ?? `reports/${timestamp(startedAt)}`),
    startedAt,
  };
}

/** --out and --corpus made and proven writable, before anything runs. */
export function prepareOutputs(settings: Pick<SuiteSettings, "outDir" | "corpusDir">): void {
  prepareOutputDir("out", settings.outDir, { keep: true });
  if (settings.corpusDir !== null) prepareOutputDir("corpus", settings.corpusDir, { keep: false });
}

/** Saved cases of the chosen areas; a malformed corpus stops everything before anything runs. */
export function loadSuiteCorpus(settings: SuiteSettings): LoadedCase[] {
  return settings.corpusDir === null ? [] : loadCorpus(settings.corpusDir, settings.areas, AREAS);
}

/** The IUT did not start or did not say a valid hello: an IUT error, reported as such (exit 2). */
export class IutStartError extends UsageError {
  constructor(
    readonly spec: string,
    readonly iutError: IutError,
  ) {
    super(
      `the IUT ${spec} failed to start: ${iutError.message}${iutError.evidence ? ` (${iutError.evidence.split("\n").slice(-1)[0]})` : ""}`,
    );
  }
}

/** An IUT started for a run: its first instance and hello, every instance (more joining), and how to close them all. */
export interface OpenedIut {
  iut: Iut;
  hello: Hello;
  instances: IutInstances;
  close(): Promise<void>;
}

/**
 * The instances worth starting for --jobs: no more than the run's areas can
 * use, since an area with maxInstances judges on that many at most (a kernel
 * adapter's start is about a CPU-second; `--area hooks` would start 24 to use 4).
 */
export function jobsWorthStarting(
  settings: Pick<SuiteSettings, "jobs" | "areas" | "propertyFilter">,
  shard?: { index: number; count: number },
): number {
  const areas = new Set(
    selectProperties({
      areas: settings.areas,
      propertyFilter: settings.propertyFilter,
      ...(shard ? { shard } : {}),
    }).map(({ area }) => area),
  );
  const usable = Math.max(1, ...[...areas].map((area) => area.maxInstances ?? settings.jobs));
  return Math.min(settings.jobs, usable);
}

/**
 * Starts the IUT (--jobs instances; `jobs` overrides) and says hello. The
 * first instance is started before anything runs: its failure to start is an
 * IutStartError, every other problem a UsageError. The others start in the
 * background and join the run as they say the same hello; one that does not
 * is closed with a line on stderr, and the run judges on the rest, with the
 * same verdicts.
 */
export async function openIut(
  spec: string,
  settings: SuiteSettings,
  stderr: (line: string) => void,
  jobs = jobsWorthStarting(settings),
): Promise<OpenedIut> {
  const created: Iut[] = [];
  let closed = false;
  const open = async (n: number) => {
    const iut = resolveIut(spec, {
      profiles: settings.profileOverrides,
      ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
      onStderr: (line) => stderr(`[adapter${jobs > 1 ? ` ${n + 1}` : ""}] ${line}`),
    });
    created.push(iut);
    try {
      return { iut, hello: await iut.hello() };
    } catch (error) {
      await iut.close();
      throw error;
    }
  };
  let first: Awaited<ReturnType<typeof open>>;
  try {
    first = await open(0);
  } catch (error) {
    if (error instanceof IutError) throw new IutStartError(spec, error);
    throw error;
  }
  const instances = new IutInstances(first.iut, jobs);
  const join = async (n: number) => {
    const why = (problem: string) =>
      stderr(`nfconform: instance ${n + 1} of ${jobs} (--jobs) of ${spec} ${problem}; judging on the others`);
    try {
      const { iut, hello } = await open(n);
      if (closed) await iut.close();
      else if (JSON.stringify(hello) === JSON.stringify(first.hello)) instances.add(iut);
      else {
        why("said another hello than the first");
        await iut.close();
      }
    } catch (error) {
      if (!closed) why(`did not start: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  // As many start at once as there are cores: a kernel adapter's start (Node and the CLI's
  // modules, inside its namespace) is CPU work, and sixteen at once on two cores outlast the hello timeout.
  const joining = (async () => {
    const batch = availableParallelism();
    for (let n = 1; n < jobs && !closed; n += batch)
      await Promise.all(Array.from({ length: Math.min(batch, jobs - n) }, (_, i) => join(n + i)));
  })();
  return {
    iut: first.iut,
    hello: first.hello,
    instances,
    close: async () => {
      closed = true;
      await Promise.all(created.map((iut) => iut.close()));
      await joining;
    },
  };
}
