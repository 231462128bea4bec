// The receive path of checksum.fill: the packet arrives on a tap device in the
// requested state, meets `iptables -t mangle -A PREROUTING -i csrx+ -j CHECKSUM
// --checksum-fill` (an nft_compat target at priority -150), and a later
// PREROUTING chain (priority 0) logs it to nflog and drops it, so what the log
// shows is the packet after the target and nothing is routed on.
//
// Each state has its tap; every frame carries a virtio_net_hdr, which
// virtio_net_hdr_to_skb() turns into the skb's state (tun_get_user()):
//   partial      csrx:  VIRTIO_NET_HDR_F_NEEDS_CSUM with csum_start/csum_offset
//   none         csrx:  no flags
//   unnecessary  csrxu: no flags; a tcx ingress program calls
//                       bpf_csum_level(INC) (sys/bpf-csum-unnecessary.ts).
//                       VIRTIO_NET_HDR_F_DATA_VALID does not do it: tun and
//                       packet sockets ignore that flag on input (measured on
//                       6.18: such a frame arrives CHECKSUM_NONE)
//   complete     csrxc: no flags; conntrack (priority -200, on for this tap
//                       alone) verifies TCP and UDP at PREROUTING:
//                       nf_ip_checksum()/nf_ip6_checksum() call
//                       __skb_checksum_complete(), which stores the sum and
//                       sets CHECKSUM_COMPLETE whether or not it verifies
// GSO: a gso_type and gso_size. With NEEDS_CSUM any of TCP and UDP
// (VIRTIO_NET_HDR_GSO_UDP_L4); without it TCP only (the flow dissector finds
// the transport header); UDP_L4 without NEEDS_CSUM is refused (EINVAL).
import type { ChecksumState } from "../../../model/checksum/checksum-target.js";
import { transportPayloadLength, type TransportLayout } from "../../../model/checksum/packet-checksum.js";
import { formatIPv4, formatIPv6 } from "../../../sys/inet-addr.js";
import { ifNameToIndex } from "../../../sys/libc.js";
import { markReceivedUnnecessary } from "../../../sys/bpf-csum-unnecessary.js";
import { TcxRefused } from "../../../sys/tcx-program.js";
import type { NetlinkSocket } from "../../../sys/netlink-socket.js";
import { writeSysctl } from "../../../sys/sysctl.js";
import { TapDevice } from "../../../sys/tap.js";
import { interfaceMac } from "../../../sys/netdev-ioctl.js";
import { IpCommand, macBytes } from "../../../sys/veth.js";
import { decodeMessages } from "../../../wire/netlink/message.js";
import { decodeNflogPacket } from "../../../wire/netlink/nflog.js";
import * as N from "../../../wire/netlink/nftables.js";
import { type BatchEntry, NFPROTO_INET, NFPROTO_IPV4, NFPROTO_IPV6 } from "../../../wire/netlink/nfnetlink.js";
import { IPPROTO_UDP } from "../../../wire/protocol-numbers.js";
import type { NftSession } from "../nft-session.js";
import { openNflogSocket } from "../nflog-socket.js";
import { vnetFrame } from "./vnet-frame.js";

/** The taps share a prefix, so one iifname prefix match covers them all (as `-i csrx+`). */
const PREFIX = "csrx";
const TAPS = { plain: "csrx", conntrack: "csrxc", unnecessary: "csrxu" } as const;
type TapRole = keyof typeof TAPS;
const TAP_OF: Record<ChecksumState, TapRole> = {
  partial: "plain",
  none: "plain",
  complete: "conntrack",
  unnecessary: "unnecessary",
};
/** The Ethernet source of injected frames: any unicast MAC but the taps'. */
const PEER_MAC = macBytes("02:00:00:00:01:ff");

const GROUP = 15;
const LOG_TIMEOUT_MS = 1000;
const TABLE = "nfconform_rx";

/** ip6_rcv_core() drops these before PREROUTING; ip_rcv_core() looks at no IPv4 address. */
function ipv6ReceiveProblem(src: Uint8Array, dst: Uint8Array): string | null {
  const loopback = (a: Uint8Array) => a.slice(0, 15).every((x) => x === 0) && a[15] === 1;
  if (loopback(src) || loopback(dst)) return "::1 on a device other than loopback";
  if (src[0] === 0xff) return "a multicast source (RFC 4291 2.7)";
  if (dst[0] === 0xff && (dst[1]! & 0x0f) <= 1)
    return `a multicast destination of scope ${dst[1]! & 0x0f} (reserved or interface-local)`;
  return null;
}

/** Why the receive path cannot present this packet to PREROUTING in this state, or null. */
export function receiveProblem(
  packet: Uint8Array,
  layout: TransportLayout,
  state: ChecksumState,
  gso: boolean,
): string | null {
  const { ip } = layout;
  if (ip.version === 6) {
    const why = ipv6ReceiveProblem(ip.src, ip.dst);
    if (why) return `ip6_rcv_core() drops a received packet with ${why}`;
  }
  if (gso) {
    if (state !== "partial" && ip.protocol === IPPROTO_UDP)
      return `virtio_net_hdr_to_skb() takes UDP GSO only with VIRTIO_NET_HDR_F_NEEDS_CSUM (EINVAL otherwise), so no UDP GSO packet arrives ${state.toUpperCase()}`;
    if (transportPayloadLength(packet, layout) < 2)
      return "its payload is too small for a GSO packet of two segments (virtio_net_hdr_to_skb)";
  }
  if (state === "complete") {
    const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
    if (ip.protocol === IPPROTO_UDP && view.getUint16(layout.fieldOffset) === 0)
      return "conntrack does not verify a UDP packet whose checksum field is 0 (udp_error()), so nothing makes it CHECKSUM_COMPLETE";
    if (ip.version === 4 && (view.getUint16(6) & 0x3fff) !== 0)
      return "an IPv4 fragment: conntrack reassembles it before it verifies a checksum";
  }
  return null;
}

/** An nflog socket bound to GROUP with whole packets, in the calling thread's namespace. */
function openLog(): NetlinkSocket {
  return openNflogSocket(GROUP, { rcvbuf: 1 << 20 });
}

function iifname(name: string): Uint8Array {
  const out = new Uint8Array(16); // IFNAMSIZ: the register holds the name zero-padded
  out.set(new TextEncoder().encode(name));
  return out;
}
const matchIifPrefix: N.Expression[] = [
  { kind: "meta", key: N.NFT_META_IIFNAME, dreg: N.NFT_REG_1 },
  { kind: "cmp", sreg: N.NFT_REG_1, op: N.NFT_CMP_EQ, data: new TextEncoder().encode(PREFIX) },
];

/** The CHECKSUM rule as iptables-nft adds it, per family, in mangle PREROUTING. */
function fillRule(family: number): BatchEntry[] {
  return [
    N.newTable({ family, name: "mangle" }),
    N.newChain({
      family,
      table: "mangle",
      name: "nfconform_rx_fill",
      type: "filter",
      hook: { hooknum: N.NF_INET_PRE_ROUTING, priority: -150 },
      policy: N.NF_ACCEPT,
    }),
    N.newRule({
      family,
      table: "mangle",
      chain: "nfconform_rx_fill",
      expressions: [
        ...matchIifPrefix,
        { kind: "counter" },
        {
          kind: "target",
          name: "CHECKSUM",
          rev: N.XT_CHECKSUM_REVISION,
          info: N.checksumTargetInfo(N.XT_CHECKSUM_OP_FILL),
        },
      ],
    }),
  ];
}

/** Log and drop at priority 0, after the target (table inet nfconform_rx). */
function observeRules(): BatchEntry[] {
  const family = NFPROTO_INET;
  return [
    N.newTable({ family, name: TABLE }),
    N.newChain({
      family,
      table: TABLE,
      name: "observe",
      type: "filter",
      hook: { hooknum: N.NF_INET_PRE_ROUTING, priority: 0 },
      policy: N.NF_ACCEPT,
    }),
    N.newRule({
      family,
      table: TABLE,
      chain: "observe",
      expressions: [...matchIifPrefix, { kind: "log", group: GROUP, prefix: PREFIX }, N.drop()],
    }),
  ];
}

/**
 * Conntrack on (a ct expression in a chain of no hook calls
 * nf_ct_netns_get()), but `notrack` at -300 for everything except csrxc, so
 * no other path of the area is tracked.
 */
function conntrackRules(): BatchEntry[] {
  const family = NFPROTO_INET;
  const base = (name: string, hooknum: number) =>
    N.newChain({ family, table: TABLE, name, type: "filter", hook: { hooknum, priority: -300 }, policy: N.NF_ACCEPT });
  const notrack: N.Expression = { kind: "other", name: "notrack", attributes: [] };
  return [
    base("untracked_in", N.NF_INET_PRE_ROUTING),
    N.newRule({
      family,
      table: TABLE,
      chain: "untracked_in",
      expressions: [
        { kind: "meta", key: N.NFT_META_IIFNAME, dreg: N.NFT_REG_1 },
        { kind: "cmp", sreg: N.NFT_REG_1, op: N.NFT_CMP_NEQ, data: iifname(TAPS.conntrack) },
        notrack,
      ],
    }),
    base("untracked_out", N.NF_INET_LOCAL_OUT),
    N.newRule({ family, table: TABLE, chain: "untracked_out", expressions: [notrack] }),
    N.newChain({ family, table: TABLE, name: "conntrack_user" }),
    N.newRule({ family, table: TABLE, chain: "conntrack_user", expressions: [...N.ctStateNew(), { kind: "counter" }] }),
  ];
}

/** How the receive path makes its taps: tests pass one that fails, to stand for a machine without tun. */
export type OpenTap = (name: string) => TapDevice;

export class ReceivePath {
  private readonly taps: Partial<Record<TapRole, TapDevice>> = {};
  private readonly macs: Record<TapRole, Uint8Array>;
  private readonly log: NetlinkSocket;
  /** Why no packet can be made CHECKSUM_UNNECESSARY or CHECKSUM_COMPLETE here, or null. */
  private readonly stateProblem: Partial<Record<ChecksumState, string>> = {};

  /** Throws when a step fails, having closed what it opened (open fds would pin the namespace). */
  constructor(
    private readonly session: NftSession,
    openTap: OpenTap = TapDevice.create,
  ) {
    try {
      for (const role of Object.keys(TAPS) as TapRole[]) this.taps[role] = openTap(TAPS[role]);
      new IpCommand().apply(Object.values(TAPS).map((dev) => ({ kind: "link-up" as const, dev })));
      // Frames go to the tap's own address (ip_rcv_core() drops PACKET_OTHERHOST).
      this.macs = {
        plain: macBytes(interfaceMac(TAPS.plain)),
        conntrack: macBytes(interfaceMac(TAPS.conntrack)),
        unnecessary: macBytes(interfaceMac(TAPS.unnecessary)),
      };
      for (const family of [NFPROTO_IPV4, NFPROTO_IPV6])
        this.apply(fillRule(family), "the CHECKSUM rule in PREROUTING");
      this.apply(observeRules(), "the receive path's log rule");
      // Without CAP_BPF (a user namespace) or conntrack, only that state is declined.
      try {
        markReceivedUnnecessary(ifNameToIndex(TAPS.unnecessary));
      } catch (error) {
        if (!(error instanceof TcxRefused)) throw error;
        this.stateProblem.unnecessary = `the kernel refused the tc program that marks packets CHECKSUM_UNNECESSARY: ${error.message}`;
      }
      try {
        this.apply(conntrackRules(), "the conntrack rules");
        writeSysctl("net.netfilter.nf_conntrack_checksum", 1);
      } catch (error) {
        this.stateProblem.complete = `conntrack, which makes received packets CHECKSUM_COMPLETE here, could not be set up: ${(error as Error).message}`;
      }
      this.log = openLog();
    } catch (error) {
      this.closeTaps();
      throw error;
    }
  }

  problem(packet: Uint8Array, layout: TransportLayout, state: ChecksumState, gso: boolean): string | null {
    return this.stateProblem[state] ?? receiveProblem(packet, layout, state, gso);
  }

  /** The packet as PREROUTING's later chain logged it, after the target; null when the device refused the header. */
  receive(packet: Uint8Array, layout: TransportLayout, state: ChecksumState, gso: boolean): Uint8Array | null {
    const role = TAP_OF[state];
    while (this.log.recv(0)); // nothing of an earlier case is left
    try {
      this.tap(role).receive(frame(packet, layout, state, gso, this.macs[role]));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EINVAL") return null;
      throw error;
    }
    const deadline = Date.now() + LOG_TIMEOUT_MS;
    for (;;) {
      const datagram = this.log.recv(Math.max(0, deadline - Date.now()));
      if (!datagram) {
        const show = layout.ip.version === 4 ? formatIPv4 : formatIPv6;
        throw new Error(
          `the packet (IPv${layout.ip.version} ${show(layout.ip.src)} -> ${show(layout.ip.dst)}, ${state}${gso ? " gso" : ""}) was written to ${TAPS[role]} but not logged in PREROUTING within ${LOG_TIMEOUT_MS} ms`,
        );
      }
      for (const m of decodeMessages(datagram)) {
        const logged = decodeNflogPacket(m);
        if (logged.prefix === PREFIX && logged.payload) return logged.payload;
      }
    }
  }

  close(): void {
    this.log.close();
    this.closeTaps();
  }

  private closeTaps(): void {
    for (const tap of Object.values(this.taps)) tap.close();
  }

  private tap(role: TapRole): TapDevice {
    const tap = this.taps[role];
    if (!tap) throw new Error(`the receive path has no tap ${TAPS[role]}`);
    return tap;
  }

  private apply(entries: BatchEntry[], what: string): void {
    const outcome = this.session.apply(entries);
    if (!outcome.committed) throw new Error(`installing ${what} failed: errno ${outcome.errnos.join(", ")}`);
  }
}

/** virtio_net_hdr, Ethernet header to the tap, packet. */
function frame(
  packet: Uint8Array,
  layout: TransportLayout,
  state: ChecksumState,
  gso: boolean,
  tapMac: Uint8Array,
): Uint8Array {
  const ethernet = new Uint8Array(12);
  ethernet.set(tapMac, 0);
  ethernet.set(PEER_MAC, 6);
  return vnetFrame(packet, layout, ethernet, { needsCsum: state === "partial", gso });
}
