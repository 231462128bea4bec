// `nfconform adapter model [--mutant NAME] [--profile area=name]`: the model (or a
// mutant of it) as an external adapter on stdin/stdout, per the adapter protocol;
// `nfconform adapter linux [--frag6 plain|conntrack] [--bpf socket|xt_bpf]`:
// the running kernel, likewise; with `--kernel
// VERSION`, a fetched Debian kernel in a VM running that same adapter.
import type { Iut } from "../iut/iut.js";
import { parseOptions } from "./options.js";
import { linuxAdapter, vmAdapter } from "./linux-adapter.js";
import { FRAG6_PATH_ENV } from "../iut/linux/frag6/path.js";
import { BPF_ATTACH_ENV, isAttach } from "../iut/linux/bpf/attach.js";
import { UsageError } from "./usage-error.js";

export async function adapterCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(
    argv,
    {
      mutant: { type: "string" },
      profile: { type: "string", multiple: true },
      frag6: { type: "string" },
      bpf: { type: "string" },
      kernel: { type: "string" },
    },
    1,
  );
  const kind = positionals[0];
  if (kind === "linux") {
    if (values.mutant !== undefined || values.profile !== undefined)
      throw new UsageError("adapter linux takes no --mutant or --profile");
    // The frag6 reassembler under test; the copy inside the namespace inherits the choice through the environment.
    if (values.frag6 !== undefined) {
      if (values.frag6 !== "conntrack" && values.frag6 !== "plain")
        throw new UsageError(`--frag6 takes plain or conntrack (got ${JSON.stringify(values.frag6)})`);
      process.env[FRAG6_PATH_ENV] = values.frag6;
    }
    // The one attach point bpf programs are loaded at (both unless given); inherited likewise.
    if (values.bpf !== undefined) {
      if (!isAttach(values.bpf))
        throw new UsageError(`--bpf takes socket or xt_bpf (got ${JSON.stringify(values.bpf)})`);
      process.env[BPF_ATTACH_ENV] = values.bpf;
    }
    if (values.kernel !== undefined) return vmAdapter(values.kernel, values.frag6, values.bpf);
    return linuxAdapter();
  }
  if (values.frag6 !== undefined) throw new UsageError("--frag6 is an option of adapter linux");
  if (values.kernel !== undefined) throw new UsageError("--kernel is an option of adapter linux");
  if (values.bpf !== undefined) throw new UsageError("--bpf is an option of adapter linux");
  if (kind !== "model")
    throw new UsageError(
      `adapter needs a kind: nfconform adapter model [--mutant NAME] | nfconform adapter linux (got ${JSON.stringify(kind ?? "")})`,
    );
  const iut = await modelIut(values.mutant, values.profile);
  const { serveAdapter } = await import("../iut/adapter-server.js");
  await serveAdapter(iut, process.stdin, process.stdout);
  return 0;
}

/**
 * The model or a mutant of it, loaded here only: a kernel adapter (one per
 * --jobs instance) needs none of the model, the mutants or the properties.
 */
async function modelIut(mutantName: string | undefined, profile: string[] | undefined): Promise<Iut> {
  if (mutantName !== undefined) {
    const { findMutant, MUTANTS, mutantIut } = await import("../iut/mutants/index.js");
    const mutant = findMutant(mutantName);
    if (!mutant)
      throw new UsageError(`unknown mutant "${mutantName}" (mutants: ${MUTANTS.map((m) => m.name).join(", ")})`);
    return mutantIut(mutant);
  }
  const { ModelIut } = await import("../iut/model/model-iut.js");
  // --profile is checked against the properties' areas, which loads every property: only when one is given.
  const profiles = profile?.length ? (await import("./area-options.js")).profileOption(profile) : {};
  return new ModelIut({ profiles });
}
