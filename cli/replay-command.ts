// `nfconform replay FILE`: re-runs one saved case against an IUT and prints the
// verdict and the difference.
import { resolve } from "node:path";
import { loadCaseFile } from "../harness/corpus-store.js";
import { IutError, AdapterReplyError } from "../iut/iut.js";
import { AREAS } from "../properties/areas.js";
import { durationOption, parseOptions, profileOption } from "./options.js";
import { resolveIut } from "./resolve-iut.js";
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
    await iut.call("reset", {});
    const outcome = await loaded.property.check(loaded.input, { iut, profile });
    io.stdout(`case:     ${file}`);
    io.stdout(`property: ${loaded.case.area}.${loaded.case.property} [${profile}]: ${loaded.property.statement}`);
    io.stdout(`source:   ${loaded.property.citation}`);
    io.stdout(`IUT:      ${iutSpec}`);
    io.stdout(`input:    ${JSON.stringify(loaded.input)}`);
    io.stdout(`expected: ${JSON.stringify(outcome.expected)}`);
    io.stdout(`observed: ${JSON.stringify(outcome.observed)}`);
    if (outcome.ok) {
      io.stdout("verdict:  conforms");
      return 0;
    }
    io.stdout(`verdict:  VIOLATION: ${outcome.message ?? "differs from the model"}`);
    return 1;
  } catch (error) {
    if (error instanceof IutError)
      throw new UsageError(`IUT error: ${error.message}${error.evidence ? ` (${error.evidence})` : ""}`);
    if (error instanceof AdapterReplyError) throw new UsageError(error.message);
    throw error;
  } finally {
    await iut.close();
  }
}
