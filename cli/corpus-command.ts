// `nfconform corpus check`: re-runs every saved case against an IUT.
// `nfconform corpus minimize`: drops cases that add nothing (the same property
// and the same shrunk input as a case kept).
import { existsSync, rmSync, statSync } from "node:fs";
import { CasePool } from "../harness/case-pool.js";
import { DEFAULT_KEY, noVerdict, runCase, type CaseRun } from "../harness/case-run.js";
import { caseId, loadCorpus, type LoadedCase } from "../harness/corpus-store.js";
import { IutError } from "../iut/iut.js";
import { AREAS } from "../properties/areas.js";
import { parseOptions } from "./options.js";
import { areaOption } from "./area-options.js";
import { pathOption, prepareOutputDir } from "./output-dirs.js";
import { openIut, readSuiteSettings, SUITE_OPTIONS } from "./suite-options.js";
import { UsageError } from "./usage-error.js";

type Io = { stdout: (line: string) => void; stderr: (line: string) => void };

export async function corpusCommand(argv: string[], io: Io): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === "check") return corpusCheck(rest, io);
  if (verb === "minimize") return corpusMinimize(rest, io);
  throw new UsageError(`corpus needs a verb: nfconform corpus check|minimize (got ${JSON.stringify(verb ?? "")})`);
}

async function corpusCheck(argv: string[], io: Io): Promise<number> {
  const { values } = parseOptions(
    argv,
    {
      iut: SUITE_OPTIONS.iut,
      area: SUITE_OPTIONS.area,
      profile: SUITE_OPTIONS.profile,
      corpus: SUITE_OPTIONS.corpus,
      timeout: SUITE_OPTIONS.timeout,
      jobs: SUITE_OPTIONS.jobs,
      "allow-empty": { type: "boolean" },
    },
    0,
  );
  const settings = readSuiteSettings(values);
  if (settings.corpusDir === null) throw new UsageError("corpus check needs a corpus (--corpus DIR)");
  requireCorpusDir(settings.corpusDir);
  const cases = loadCorpus(settings.corpusDir, settings.areas, AREAS);
  const opened = await openIut(settings.iutSpec, settings, io.stderr);
  const counts = { conform: 0, violate: 0, declined: 0, unjudged: 0 };
  // --jobs: cases judged on every instance at once, read and printed in corpus order.
  const pool = new CasePool({
    instances: opened.instances,
    draw: async (index) => (index < cases.length ? { input: cases[index] } : undefined),
    // The harness's own case runner: a case the IUT declined or the check could not judge is no verdict.
    judge: (iut, input) => {
      const saved = input as LoadedCase;
      return runCase(
        saved.property,
        iut,
        settings.profileOverrides[saved.case.area] ?? saved.case.profile,
        saved.input,
      );
    },
    stopped: () => false,
  });
  try {
    for (const [index, saved] of cases.entries()) {
      const settled = await pool.take(index, saved);
      if ("error" in settled) {
        const { error } = settled;
        if (error instanceof IutError) throw new UsageError(`IUT error on ${saved.path}: ${error.message}`);
        throw error;
      }
      const run: CaseRun = settled.run;
      const none = noVerdict(run);
      if (run.kind === "conforms") counts.conform++;
      else if (run.kind === "violates") counts.violate++;
      else counts[run.kind === "unjudged" ? "unjudged" : "declined"]++;
      if (none) io.stdout(`${none.label.padEnd(10)} ${saved.path}: ${none.reason}`);
      else if (run.kind === "violates") io.stdout(`VIOLATES   ${saved.path}: ${run.outcome.message ?? DEFAULT_KEY}`);
      else io.stdout(`conforms   ${saved.path}`);
    }
  } finally {
    await pool.close();
    await opened.close();
  }
  const judged = counts.conform + counts.violate;
  io.stderr(
    `corpus check: ${cases.length} cases against ${settings.iutSpec}: ${counts.conform} conform, ${counts.violate} violate, ${judged} judged, ${counts.declined} declined, ${counts.unjudged} not judged`,
  );
  if (counts.violate > 0) return 1;
  if (judged === 0 && values["allow-empty"] !== true) {
    io.stderr("nfconform: corpus check judged no case: not a pass; --allow-empty accepts a check that judged nothing");
    return 2;
  }
  return 0;
}

/** A corpus command on a folder that is not there would judge nothing and say all is well. */
function requireCorpusDir(dir: string): void {
  if (!existsSync(dir)) throw new UsageError(`--corpus ${JSON.stringify(dir)}: no such folder`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`--corpus ${JSON.stringify(dir)}: not a folder`);
}

function corpusMinimize(argv: string[], io: Io): number {
  const { values } = parseOptions(
    argv,
    { area: SUITE_OPTIONS.area, corpus: SUITE_OPTIONS.corpus, "dry-run": { type: "boolean" } },
    0,
  );
  const corpusDir = pathOption("corpus", values.corpus) ?? "corpus";
  requireCorpusDir(corpusDir);
  // Minimize deletes files: prove it may before reading anything.
  if (!values["dry-run"]) prepareOutputDir("corpus", corpusDir, { keep: true });
  const cases = loadCorpus(corpusDir, areaOption(values.area), AREAS);
  const kept = new Map<string, string>();
  let dropped = 0;
  // Oldest first, so the case that came first stays.
  for (const saved of [...cases].sort(
    (a, b) => a.case.foundBy.savedAt.localeCompare(b.case.foundBy.savedAt) || a.path.localeCompare(b.path),
  )) {
    const key = caseId(saved.case.area, saved.case.property, saved.input);
    const keeper = kept.get(key);
    if (!keeper) {
      kept.set(key, saved.path);
      continue;
    }
    dropped++;
    io.stdout(`${values["dry-run"] ? "would drop" : "dropped"} ${saved.path} (same property and input as ${keeper})`);
    if (!values["dry-run"]) {
      rmSync(saved.path);
      if (saved.case.pcap) rmSync(saved.path.replace(/[^/]*$/, saved.case.pcap.file), { force: true });
    }
  }
  io.stderr(
    `corpus minimize: ${cases.length} cases, ${dropped} ${values["dry-run"] ? "would be " : ""}dropped, ${cases.length - dropped} kept`,
  );
  return 0;
}
