// Turns --iut into an implementation under test.
import { AdapterClient, type AdapterClientOptions } from "../iut/adapter-client.js";
import type { Iut } from "../iut/iut.js";
import { ModelIut } from "../iut/model/model-iut.js";
import { findMutant, MUTANTS, mutantIut } from "../iut/mutants/index.js";
import type { AreaName } from "../iut/protocol.js";
import { fileURLToPath } from "node:url";
import { shellCommand } from "../harness/shell-quote.js";
import { adapterFolders, findAdapterFolder } from "./adapter-folders.js";
import { linuxAdapterArgv, linuxIutProblem, vmIutProblem } from "./linux-adapter.js";
import { isAttach } from "../iut/linux/bpf/attach.js";
import { profileOption } from "./area-options.js";
import { UsageError } from "./usage-error.js";

export const DEFAULT_IUT = "linux";

export const KNOWN_IUTS: readonly { spec: string; summary: string }[] = [
  {
    spec: "model",
    summary: "the reference model itself, through the IUT interface (the suite's sanity check; must always pass)",
  },
  {
    spec: "model:<area>=<profile>,...",
    summary: "the model implementing the named profiles (e.g. model:checksum=linux-2.6.35), for matrices of profiles",
  },
  {
    spec: "linux",
    summary:
      "the running kernel, through `nfconform adapter linux` in a private network namespace (a user namespace when not root)",
  },
  {
    spec: "linux-nfct",
    summary:
      "the kernel IUT with the frag6 area on conntrack's reassembler in front of the plain stack (`nfconform adapter linux --frag6 conntrack`; profile linux-nfct); other areas as in linux",
  },
  {
    spec: "linux:bpf=socket|xt_bpf",
    summary:
      "the kernel IUT with every bpf program loaded at one attach point, a socket filter (SO_ATTACH_FILTER) or xt_bpf (`-m bpf`); a case asking for the other is declined. Plain `linux` loads each case where it asks (both). linux-nfct:bpf=... likewise",
  },
  {
    spec: "linux@<version>",
    summary:
      "a pinned Debian kernel (6.1, 6.12) booted in a VM under QEMU, running `nfconform adapter linux` inside (fetch it once with scripts/fetch-kernel <version>); linux-nfct@<version> likewise, and linux@<version>:bpf=socket|xt_bpf holds its bpf programs to one attach point",
  },
  { spec: "cmd:'<command>'", summary: "an external adapter speaking docs/adapter-protocol.md on stdin/stdout" },
  { spec: "mutant:<name>", summary: "a deliberately broken model, to see the suite catch it (see the mutants below)" },
  {
    spec: "<adapter>",
    summary:
      "a shipped adapter of a real implementation, adapters/<adapter>/ (built by scripts/setup-adapters; see the adapters below)",
  },
];

const BUILT_IN = ["model", "linux", "linux-nfct"];

export interface IutOptions {
  /** For `model`: the profiles the model implements (so it conforms to whichever is judged). */
  profiles: Partial<Record<AreaName, string>>;
  timeoutMs?: number;
  /** For adapters: restarts allowed after crashes or timeouts (AdapterClient's default otherwise). */
  maxRestarts?: number;
  onStderr?: (line: string) => void;
}

/** `model:frag6=linux-nfct,hooks=linux-list`: the model implementing those profiles. */
function modelProfiles(spec: string): Partial<Record<AreaName, string>> {
  try {
    return profileOption(spec.slice("model:".length).split(","));
  } catch (error) {
    throw new UsageError(`--iut ${spec}: ${(error as Error).message.replace(/^--profile/, "profiles")}`);
  }
}

/**
 * The kernel adapter loads the CLI inside its namespace before its hello:
 * under a second on an idle machine, but over 10 s (the request timeout) was
 * measured with a CI test run's workers beside it (then with every area's
 * namespaces built at start), so the start has a deadline of its own.
 */
const LINUX_START_TIMEOUT_MS = 60_000;

export function resolveIut(spec: string, options: IutOptions): Iut {
  if (spec === "model") return new ModelIut({ profiles: options.profiles });
  if (spec.startsWith("model:"))
    return new ModelIut({ profiles: { ...options.profiles, ...modelProfiles(spec) }, spec });
  const kernel = /^(linux|linux-nfct)(?::(.*))?$/.exec(spec);
  if (kernel) {
    const problem = linuxIutProblem();
    if (problem) throw new UsageError(problem);
    const frag6 = kernel[1] === "linux-nfct" ? ["--frag6", "conntrack"] : [];
    const bpf = kernel[2] === undefined ? [] : ["--bpf", bpfAttachOf(spec, kernel[2])];
    return new AdapterClient(
      shellCommand(linuxAdapterArgv([...frag6, ...bpf])),
      clientOptions(options, { spec, startTimeoutMs: Math.max(LINUX_START_TIMEOUT_MS, options.timeoutMs ?? 0) }),
    );
  }
  const vm = /^(linux|linux-nfct)@([^:]+)(?::(.*))?$/.exec(spec);
  if (vm) {
    const bpf = vm[3] === undefined ? undefined : bpfAttachOf(spec, vm[3]);
    return vmIut(spec, vm[1] === "linux-nfct", vm[2] ?? "", bpf, options);
  }
  if (spec.startsWith("mutant:")) {
    const mutant = findMutant(spec.slice("mutant:".length));
    if (!mutant)
      throw new UsageError(`unknown mutant "${spec.slice(7)}" (mutants: ${MUTANTS.map((m) => m.name).join(", ")})`);
    return mutantIut(mutant);
  }
  if (spec.startsWith("cmd:")) {
    const command = spec.slice(4).trim();
    if (!command) throw new UsageError("--iut cmd: needs a command line, e.g. --iut cmd:'./my-adapter --flag'");
    return new AdapterClient(command, clientOptions(options, {}));
  }
  const folder = findAdapterFolder(spec);
  if (folder) {
    if (!folder.built)
      throw new UsageError(`--iut ${spec}: the adapter is not built; run scripts/setup-adapters ${spec} (as root)`);
    return new AdapterClient(shellCommand([folder.run]), clientOptions(options, { spec }));
  }
  const adapters = adapterFolders().map((a) => a.name);
  throw new UsageError(
    `unknown IUT ${JSON.stringify(spec)} (use ${[...BUILT_IN, "linux@<version>", ...adapters].join(", ")}, cmd:'<command>', mutant:<name> or model:<area>=<profile>)`,
  );
}

/** `linux:bpf=socket`: the one attach point of the run's bpf programs (iut/linux/bpf/attach.ts). */
function bpfAttachOf(spec: string, options: string): string {
  const attach = /^bpf=(.*)$/.exec(options)?.[1];
  if (attach === undefined || !isAttach(attach))
    throw new UsageError(`--iut ${spec}: the kernel IUT takes bpf=socket or bpf=xt_bpf after the colon`);
  return attach;
}

/**
 * A VM boots and loads the adapter from the host's files over 9p before its
 * hello; under TCG on a loaded 2-core machine that took minutes (measured:
 * docs/iut-kernel-versions.md), so the start has its own, long deadline.
 */
const VM_START_TIMEOUT_MS = 600_000;
/** Requests inside an emulated VM run many times slower than on the host. */
const VM_REQUEST_TIMEOUT_MS = 120_000;

/** `linux@6.12[:bpf=socket]`: `nfconform adapter linux --kernel 6.12 [--bpf socket]`, which boots that kernel in a VM. */
function vmIut(spec: string, conntrack: boolean, version: string, bpf: string | undefined, options: IutOptions): Iut {
  const problem = vmIutProblem(version, spec);
  if (problem) throw new UsageError(problem);
  const main = fileURLToPath(new URL("./main.js", import.meta.url));
  const frag6 = conntrack ? ["--frag6", "conntrack"] : [];
  const attach = bpf === undefined ? [] : ["--bpf", bpf];
  const argv = [process.execPath, main, "adapter", "linux", "--kernel", version, ...frag6, ...attach];
  return new AdapterClient(
    shellCommand(argv),
    clientOptions(options, {
      spec,
      timeoutMs: options.timeoutMs ?? VM_REQUEST_TIMEOUT_MS,
      startTimeoutMs: VM_START_TIMEOUT_MS,
    }),
  );
}

/** An adapter client's options: the run's timeout, restarts and stderr sink, then what this kind of IUT sets itself. */
function clientOptions(options: IutOptions, own: AdapterClientOptions): AdapterClientOptions {
  return {
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.maxRestarts !== undefined ? { maxRestarts: options.maxRestarts } : {}),
    ...(options.onStderr ? { onStderr: options.onStderr } : {}),
    ...own,
  };
}
