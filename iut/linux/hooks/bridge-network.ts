// The bridge the hooks area's bridge-family chains are traversed through. It
// lives in a namespace of its own, next to the area's: a bridge device makes
// br_netfilter (built in: CONFIG_BRIDGE_NETFILTER) register its hooks in its
// namespace (brnf_device_event(), br_nf_ops), including ip_sabotage_in on the
// ipv4 and ipv6 prerouting lists, which would take one of those lists' 1024
// entries. Bridge lists are no other family's, so holding them in another
// namespace changes no answer but the br_netfilter entries of the bridge lists
// themselves (BRNF_HOOKS).
//
//   nfcbq0 ~ nfcbp0 ─┐
//                    nfcbr0 (bridge)
//   nfcbq1 ~ nfcbp1 ─┘
//
// nfcbp0 and nfcbp1 are the bridge's ports; their veth peers nfcbq0 and nfcbq1
// stay outside it, where probes are injected and captured. Learning is off and
// nfcbp0 takes no flooded unicast, so a frame the bridge floods (every frame
// here: it knows no address) leaves by nfcbp1 only, once.
import type { HookName } from "../../../model/hooks/families.js";
import { NetworkNamespace } from "../../../sys/netns.js";
import { writeSysctl } from "../../../sys/sysctl.js";
import { awaitLinksActive } from "../../../sys/rtnetlink.js";
import { IpCommand } from "../../../sys/veth.js";
import { bridgeNetfilterOff } from "../bridge-netfilter-off.js";
import { NftSession } from "../nft-session.js";
import { TraceListener } from "./trace-listener.js";

export const BRIDGE = { name: "nfcbr0", mac: "02:00:00:00:0b:00" };
export const BRIDGE_PORTS = [
  { port: "nfcbp0", peer: "nfcbq0", mac: "02:00:00:00:0b:01", peerMac: "02:00:00:00:0b:02", flood: false },
  { port: "nfcbp1", peer: "nfcbq1", mac: "02:00:00:00:0b:03", peerMac: "02:00:00:00:0b:04", flood: true },
] as const;

/**
 * br_netfilter's own entries in the bridge lists of a namespace with a
 * bridge (br_nf_ops: br_nf_pre_routing, br_nf_local_in, br_nf_forward,
 * br_nf_post_routing). Measured on 6.18: 1023 bridge chains fit on each of
 * these lists, the 1024th is E2BIG; bridge output takes 1024.
 */
export const BRNF_HOOKS: Partial<Record<HookName, number>> = { prerouting: 1, input: 1, forward: 1, postrouting: 1 };

/** The bridge's namespace, and what the area keeps open in it. */
export interface BridgeNetwork {
  session: NftSession;
  trace: TraceListener;
  /** Runs fn in the bridge's namespace (sockets opened there stay there), then returns to the caller's. */
  inside<T>(fn: () => T): T;
  close(): void;
}

function configure(): void {
  // No IPv6 on the new devices (no MLD, RS or ND in the traces), and
  // br_netfilter's hooks (where it is loaded) leave bridged frames to the bridge chains alone.
  writeSysctl("net.ipv6.conf.default.disable_ipv6", 1);
  bridgeNetfilterOff();
  new IpCommand().apply([
    { kind: "bridge-add", name: BRIDGE.name, mac: BRIDGE.mac },
    ...BRIDGE_PORTS.flatMap(
      (p) =>
        [
          { kind: "veth-add", name: p.port, peer: p.peer, mac: p.mac, peerMac: p.peerMac },
          { kind: "link-master", dev: p.port, master: BRIDGE.name },
          { kind: "bridge-port", dev: p.port, flood: p.flood },
          { kind: "link-up", dev: p.port },
          { kind: "link-up", dev: p.peer },
        ] as const,
    ),
    { kind: "link-up", dev: BRIDGE.name },
  ]);
  // The bridge and the ports that came up before their peers send nothing
  // until linkwatch has run for them (up to a second here): a bridge output
  // probe sent at once was lost (docs/iut-linux.md, "Lost probes").
  awaitLinksActive([BRIDGE.name, ...BRIDGE_PORTS.flatMap((p) => [p.port, p.peer])]);
}

/** Creates the bridge's namespace beside the caller's, and leaves the caller where it was. */
export function setupBridgeNetwork(): BridgeNetwork {
  const home = NetworkNamespace.current();
  const namespace = NetworkNamespace.create();
  const inside = <T>(fn: () => T): T => {
    namespace.enter();
    try {
      return fn();
    } finally {
      home.enter();
    }
  };
  try {
    configure();
    const session = new NftSession();
    const trace = new TraceListener();
    home.enter();
    return {
      session,
      trace,
      inside,
      close: () => {
        trace.close();
        session.close();
        namespace.close();
        home.close();
      },
    };
  } catch (error) {
    home.enter();
    namespace.close();
    home.close();
    throw error;
  }
}
