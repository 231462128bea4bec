// The hooks area on the kernel: each protocol hook is an nftables base chain
// (registry.ts, chain-rules.ts), each traversal a probe packet read back from
// the nftrace events (traversal.ts). The area's namespace holds no other hooks
// (no conntrack, no iptables tables), so the 1024 limit counts ours only.
import type { Params } from "../../ops/common.js";
import { hooksBatch, hooksRegister, hooksTraverse, hooksUnregister, readRegistration } from "../../ops/hooks.js";
import type { LinuxArea, LinuxAreaKind, LinuxContext } from "../linux-area.js";
import { runBatch } from "./batch.js";
import { listPort } from "./chain-rules.js";
import { decline } from "./decline.js";
import { setupProbeNetwork } from "./probe-network.js";
import { Probes, probePath } from "./probes.js";
import { HookChains } from "./registry.js";
import { TraceListener } from "./trace-listener.js";
import { Traverser } from "./traversal.js";

/** Why no probe crosses a list: arp and bridge are not built; the rest do not exist. */
function noPath(family: string, hook: string, device: string | null): string {
  if (family === "bridge")
    return "bridge hooks run only for frames crossing a bridge, and the protocol's namespace has no bridge device (veth0 and veth1 only)";
  if (family === "arp")
    return "arp traversals are not built (an ARP probe needs ARP-field selectors and an end point in arp_process())";
  return `no ${family} ${hook} hook list${device === null ? "" : ` on ${device}`}`;
}

export const hooksKind: LinuxAreaKind = {
  name: "hooks",
  ops: [hooksRegister.op, hooksUnregister.op, hooksTraverse.op, hooksBatch.op],
  profile: () => "linux",
  create: hooksArea,
};

export function hooksArea({ session }: LinuxContext): LinuxArea {
  setupProbeNetwork();
  const chains = new HookChains(session);
  const trace = new TraceListener();
  const probes = new Probes();
  const traverser = new Traverser(trace, probes);
  const traverse = (params: Params) => {
    const { family, hook, device } = hooksTraverse.readRequest(params);
    const path = probePath(family, hook, device);
    if (!path) throw decline("hooks.traverse", noPath(family, hook, device));
    const { visited, verdict } = traverser.run(path, listPort(hook, family === "netdev" ? device : null));
    return hooksTraverse.writeReply({ visited, verdict });
  };
  return {
    handlers: {
      "hooks.register": (params) => hooksRegister.writeReply({ errno: chains.register(readRegistration(params)) }),
      "hooks.unregister": (params) =>
        hooksUnregister.writeReply({ errno: chains.unregister(hooksUnregister.readRequest(params).name) }),
      "hooks.traverse": traverse,
      "hooks.batch": (params) =>
        hooksBatch.writeReply({ replies: runBatch(hooksBatch.readRequest(params).steps, chains, traverse) }),
    },
    reset: () => {
      chains.reset();
      trace.take();
    },
    close: () => {
      probes.close();
      trace.close();
    },
  };
}
