// The options `run`, `fuzz` and `matrix` share, read once into a plan, and
// the start of an IUT session (hello), with every failure a one-line UsageError.
import { resolve } from "node:path";
import { loadCorpus, type LoadedCase } from "../harness/corpus-store.js";
import { randomRunSeed } from "../harness/seeds.js";
import { IutError, type Iut } from "../iut/iut.js";
import type { AreaName, Hello } from "../iut/protocol.js";
import { AREAS } from "../properties/areas.js";
import type { AreaDefinition } from "../properties/property.js";
import { pathOption, prepareOutputDir } from "./output-dirs.js";
import { areaOption, durationOption, integerOption, profileOption } from "./options.js";
import { DEFAULT_IUT, resolveIut } from "./resolve-iut.js";
import { UsageError } from "./usage-error.js";

/**
 * Generated cases per property; the kernel gets more, so a default run judges
 * over 1,000 kernel cases per area, except frag6, whose kernel cases cost a
 * namespace each (timed ones over a second): 100 a property there.
 */
export const DEFAULT_RUNS = 100;
export const DEFAULT_RUNS_LINUX = 300;
const KERNEL_IUTS = ["linux", "linux-nfct"];
const DEFAULT_RUNS_LINUX_BY_AREA: Partial<Record<AreaName, number>> = { frag6: DEFAULT_RUNS };

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
  const kernel = KERNEL_IUTS.includes(iutSpec);
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

/** Starts the IUT and says hello; a failure to start is an IutStartError, every other problem a UsageError. */
export async function openIut(
  spec: string,
  settings: SuiteSettings,
  stderr: (line: string) => void,
): Promise<{ iut: Iut; hello: Hello }> {
  const iut = resolveIut(spec, {
    profiles: settings.profileOverrides,
    ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
    onStderr: (line) => stderr(`[adapter] ${line}`),
  });
  try {
    return { iut, hello: await iut.hello() };
  } catch (error) {
    await iut.close();
    if (error instanceof IutError) throw new IutStartError(spec, error);
    throw error;
  }
}
