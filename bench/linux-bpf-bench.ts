// The kernel bpf benchmark runs in a namespace of its own, like the kernel IUT.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { probeNamespaceSupport, wrapInNamespace } from "../sys/namespace.js";

export function linuxBpfBench(): string[] {
  const support = probeNamespaceSupport();
  if (!support.ok) return [`kernel bpf benchmark skipped: ${support.reason}`];
  const inner = fileURLToPath(new URL("./linux-bpf-inner.js", import.meta.url));
  const [command, ...args] = wrapInNamespace([process.execPath, inner]);
  const r = spawnSync(command!, args, { encoding: "utf8", env: { ...process.env, NFCONFORM_INSIDE_NAMESPACE: "1" } });
  if (r.status !== 0) return [`kernel bpf benchmark failed: ${r.stderr.trim()}`];
  return r.stdout.trim().split("\n");
}
