// `nfconform replay FILE`: re-runs one saved case against an IUT and prints the
// verdict and the difference.
import { resolve } from "node:path";
import { DEFAULT_KEY, noVerdict, runCase } from "../harness/case-run.js";
import { loadCaseFile } from "../harness/corpus-store.js";
import { IutError, AdapterReplyError } from "../iut/iut.js";
import { AREAS } from "../properties/areas.js";
import { durationOption, parseOptions } from "./options.js";
import { profileOption } from "./area-options.js";
import { resolveIut } from "./resolve-iut.js";
import { explanationLine } from "../properties/explain.js";
import { UsageError } from "./usage-error.js";

export async function replayCommand(
  argv: string[],
  io: { stdout: (line: string) => void; stderr: (line: string) => void },
): Promise<number> {
  const { values, positionals } = parseOptions(
    argv,
    { iut: { type: "string" }, profile: { type: "string", multiple: true }, timeout: { type: "string" } },
    1,
  );
  const file = positionals[0];
  if (!file)
    throw new UsageError("replay needs a case file: nfconform replay corpus/<area>/<property>/<id>.json [--iut SPEC]");
  const loaded = loadCaseFile(resolve(file), AREAS);
  const overrides = profileOption(values.profile);
  const profile = overrides[loaded.case.area] ?? loaded.case.profile;
  const iutSpec = values.iut ?? loaded.case.foundBy.iut;
  const timeoutMs = durationOption("timeout", values.timeout);
  const iut = resolveIut(iutSpec, {
    profiles: { [loaded.case.area]: profile },
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
  try {
    await iut.hello();
    // The harness's own case runner, so a replay reads a case exactly as a run does.
    const run = await runCase(loaded.property, iut, profile, loaded.input);
    io.stdout(`case:     ${file}`);
    io.stdout(`property: ${loaded.case.area}.${loaded.case.property} [${profile}]: ${loaded.property.statement}`);
    io.stdout(`source:   ${loaded.property.citation}`);
    io.stdout(`IUT:      ${iutSpec}`);
    io.stdout(`input:    ${JSON.stringify(loaded.input)}`);
    if (run.kind === "conforms" || run.kind === "violates" || run.kind === "unjudged") {
      io.stdout(`expected: ${JSON.stringify(run.outcome.expected)}`);
      io.stdout(`observed: ${JSON.stringify(run.outcome.observed)}`);
    }
    if (run.kind === "conforms") {
      io.stdout("verdict:  conforms");
      return 0;
    }
    if (run.kind === "violates") {
      io.stdout(`verdict:  VIOLATION: ${run.outcome.message ?? DEFAULT_KEY}`);
      const why = run.outcome.explanation;
      if (why) {
        io.stdout(`rule:     ${explanationLine(why)}`);
        for (const line of why.trace) io.stdout(`          ${line}`);
      }
      return 1;
    }
    // Not judged or declined: no verdict, so not a pass either.
    const none = noVerdict(run);
    io.stdout(`verdict:  ${none?.label}: ${none?.reason}`);
    io.stderr(`nfconform: the case got no verdict (${none?.label}): not a pass`);
    return 2;
  } catch (error) {
    if (error instanceof IutError)
      throw new UsageError(`IUT error: ${error.message}${error.evidence ? ` (${error.evidence})` : ""}`);
    if (error instanceof AdapterReplyError) throw new UsageError(error.message);
    throw error;
  } finally {
    await iut.close();
  }
}
