// `nfconform adapter linux`: the running kernel behind the adapter protocol.
// Started outside a namespace, it re-runs itself inside a fresh network
// namespace (inside a user namespace when not root) that dies with it: no
// interface, rule or sysctl it sets survives the process, even a kill -9.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { probeNamespaceSupport, wrapInNamespace } from "../sys/namespace.js";
import { launchVm, vmProblem } from "../iut/vm/launcher.js";
import { UsageError } from "./usage-error.js";

/** Set in the environment of the re-run copy, which is inside the namespace (iut/vm/init sets it too). */
const INSIDE = "NFCONFORM_INSIDE_NAMESPACE";

/** The probe's answer, once a process: it spawns test namespaces synchronously. */
let probed: string | null | undefined;

/**
 * Why the kernel IUT cannot run here, as one line with the remedy; null when
 * it can. Asked once per --jobs instance: probed once (24 probes blocked the
 * run's event loop for seconds, profiled under load in bench/cpu.md).
 */
export function linuxIutProblem(): string | null {
  if (probed !== undefined) return probed;
  const support = probeNamespaceSupport();
  probed = support.ok
    ? null
    : `--iut linux needs a private network namespace, but ${support.reason}; to fix: ${support.remedy}`;
  return probed;
}

export async function linuxAdapter(): Promise<number> {
  if (process.env[INSIDE] === "1") {
    // Loaded only here, inside the namespace: other commands, and the process
    // that starts this one, need none of the kernel IUT or the protocol's schemas.
    const { LinuxIut } = await import("../iut/linux/linux-iut.js");
    const { serveAdapter } = await import("../iut/adapter-server.js");
    await serveAdapter(new LinuxIut(), process.stdin, process.stdout);
    return 0;
  }
  const problem = linuxIutProblem();
  if (problem) throw new UsageError(problem);
  const [command, ...args] = wrapInNamespace(insideArgv([]));
  const child = spawn(command!, args, { stdio: "inherit", env: { ...process.env, [INSIDE]: "1" } });
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1))));
}

/** The copy of `nfconform adapter linux ARGS` that serves inside the namespace (its environment says so). */
function insideArgv(args: readonly string[]): string[] {
  const main = fileURLToPath(new URL("./main.js", import.meta.url));
  return [process.execPath, main, "adapter", "linux", ...args];
}

/**
 * The command line of `nfconform adapter linux ARGS` with the copy inside the
 * namespace started directly, without the process that starts it: the suite
 * starts one adapter per --jobs instance, and each saves a Node start and the
 * CLI's load (measured in bench/jobs.md). Call linuxIutProblem() first.
 */
export function linuxAdapterArgv(args: readonly string[]): string[] {
  return ["env", `${INSIDE}=1`, ...wrapInNamespace(insideArgv(args))];
}

/** Why `--iut linux@<version>` cannot run here, as one line with the remedy; null when it can. */
export function vmIutProblem(version: string, spec = `linux@${version}`): string | null {
  const found = vmProblem(version);
  return found instanceof Error ? `--iut ${spec}: ${found.message}` : null;
}

/** `nfconform adapter linux --kernel VERSION`: the same adapter inside a VM booting that kernel. */
export async function vmAdapter(version: string, frag6: string | undefined, bpf?: string): Promise<number> {
  const problem = vmIutProblem(version);
  if (problem) throw new UsageError(problem);
  const main = fileURLToPath(new URL("./main.js", import.meta.url));
  // The guest's adapter takes the same options as the host's (checked already by adapterCommand).
  const args = [...(frag6 !== undefined ? ["--frag6", frag6] : []), ...(bpf !== undefined ? ["--bpf", bpf] : [])];
  return launchVm(version, args, main);
}
