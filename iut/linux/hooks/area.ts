// The hooks area on the kernel: each protocol hook is an nftables base chain
// (registry.ts, chain-rules.ts), each traversal a probe packet read back from
// the nftrace events (traversal.ts): UDP for the ip and netdev lists
// (probes.ts), ARP for the arp lists (arp-probes.ts), UDP through a bridge for
// the bridge lists (bridge-probes.ts). The area's namespace holds no other
// hooks of ours (no conntrack, no iptables tables), so the 1024 limit counts
// ours and, where an LSM with netfilter hooks is enabled (AppArmor on Debian's
// kernels), the LSM's entries (lsm-hooks.ts), which the registry accounts for;
// the bridge and its lists are in a namespace beside it (bridge-network.ts).
// hooks.fragments runs each case in a namespace of its own (fragments.ts).
import type { HookName } from "../../../model/hooks/families.js";
import type { Params } from "../../ops/common.js";
import { hooksBatch, hooksRegister, hooksTraverse, hooksUnregister, readRegistration } from "../../ops/hooks.js";
import type { LinuxArea, LinuxAreaKind, LinuxContext } from "../linux-area.js";
import { runBatch } from "./batch.js";
import { NFPROTO_BRIDGE } from "../../../wire/netlink/nfnetlink.js";
import { ArpProbes, arpPath } from "./arp-probes.js";
import { setupBridgeNetwork } from "./bridge-network.js";
import { BridgeProbes, bridgePath } from "./bridge-probes.js";
import { aimOf, type Aim } from "./chain-rules.js";
import { decline, Unjudgeable } from "./decline.js";
import type { AdapterReplyError } from "../../iut.js";
import { runFragments } from "./fragments.js";
import { hooksFragments, readFragmentsRequest } from "../../ops/hooks-fragments.js";
import { setupProbeNetwork } from "./probe-network.js";
import { Probes, probePath } from "./probes.js";
import { lsmHookEntries } from "./lsm-hooks.js";
import { HookChains } from "./registry.js";
import { TraceListener } from "./trace-listener.js";
import { Traverser } from "./traversal.js";

/**
 * Why no probe crosses a list: arp forward is a list the core has, which a
 * traversal does not change, so in a partial batch the rest of the case is
 * still judged (Unjudgeable).
 */
function noPath(family: string, hook: string, device: string | null): AdapterReplyError {
  if (family === "arp" && hook === "forward")
    return new Unjudgeable(
      "hooks.traverse",
      "NF_ARP_FORWARD runs only in br_netfilter's br_nf_forward_arp() (ARP frames a bridge forwards, with bridge-nf-call-arptables), and no interface registers a chosen hook there (nftables' arp chains offer input and output; arptable_filter registers a whole table at priority 0): the list is always empty",
    );
  return decline("hooks.traverse", `no ${family} ${hook} hook list${device === null ? "" : ` on ${device}`}`);
}

export const hooksKind: LinuxAreaKind = {
  name: "hooks",
  ops: [hooksRegister.op, hooksUnregister.op, hooksTraverse.op, hooksBatch.op, hooksFragments.op],
  profile: () => "linux",
  create: hooksArea,
};

export function hooksArea({ session }: LinuxContext): LinuxArea {
  setupProbeNetwork();
  const bridge = setupBridgeNetwork();
  const chains = new HookChains((nfproto) => (nfproto === NFPROTO_BRIDGE ? bridge.session : session), lsmHookEntries());
  const trace = new TraceListener();
  const probes = new Probes();
  const arpProbes = new ArpProbes();
  const bridgeProbes = new BridgeProbes(bridge);
  const ipTraverser = new Traverser(trace, probes);
  const arpTraverser = new Traverser(trace, arpProbes);
  const bridgeTraverser = new Traverser(bridge.trace, bridgeProbes);
  const run = (family: string, hook: HookName, device: string | null, aim: Aim) => {
    if (family === "arp") {
      const path = arpPath(hook);
      return path && arpTraverser.run(path, aim);
    }
    if (family === "bridge") {
      const path = bridgePath(hook);
      return path && bridgeTraverser.run(path, aim);
    }
    const path = probePath(family, hook, device);
    return path && ipTraverser.run(path, aim);
  };
  const traverse = (params: Params) => {
    const { family, hook, device } = hooksTraverse.readRequest(params);
    const aim = aimOf(family, hook, family === "netdev" ? device : null);
    const result = aim && run(family, hook, device, aim);
    if (!result) throw noPath(family, hook, device);
    return hooksTraverse.writeReply(result);
  };
  return {
    handlers: {
      "hooks.register": (params) => hooksRegister.writeReply({ errno: chains.register(readRegistration(params)) }),
      "hooks.unregister": (params) =>
        hooksUnregister.writeReply({ errno: chains.unregister(hooksUnregister.readRequest(params).name) }),
      "hooks.traverse": traverse,
      "hooks.batch": (params) => {
        const { steps, partial } = hooksBatch.readRequest(params);
        return hooksBatch.writeReply({ replies: runBatch(steps, chains, traverse, partial === true) });
      },
      // A namespace of its own per case (fragments.ts): none of the chains above, no state left behind.
      "hooks.fragments": async (params) => {
        const { steps, packets } = readFragmentsRequest(params);
        return hooksFragments.writeReply(await runFragments(steps, packets));
      },
    },
    reset: () => {
      chains.reset();
      trace.take();
      bridge.trace.take();
    },
    close: () => {
      probes.close();
      arpProbes.close();
      bridgeProbes.close();
      trace.close();
      bridge.close();
    },
  };
}
