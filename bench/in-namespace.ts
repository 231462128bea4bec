// Kernel benchmarks run in a network namespace of their own, like the kernel
// IUT: this runs one compiled bench script there and returns its output lines.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { probeNamespaceSupport, wrapInNamespace } from "../sys/namespace.js";

/** `script` is a file beside this one in dist/bench, e.g. "linux-checksum-inner.js". */
export function benchInNamespace(label: string, script: string): string[] {
  const support = probeNamespaceSupport();
  if (!support.ok) return [`${label} benchmark skipped: ${support.reason}`];
  const inner = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const [command, ...args] = wrapInNamespace([process.execPath, inner]);
  const r = spawnSync(command!, args, { encoding: "utf8", env: { ...process.env, NFCONFORM_INSIDE_NAMESPACE: "1" } });
  if (r.status !== 0) return [`${label} benchmark failed: ${r.stderr.trim()}`];
  return r.stdout.trim().split("\n");
}
