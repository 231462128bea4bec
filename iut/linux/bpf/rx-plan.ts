// How the kernel IUT gives a socket-filter run the metadata it asks for: a
// program that reads none of the given fields runs on the AF_UNIX socketpair
// (socket-programs.ts); one that does runs on a frame a veth receives
// (receive-path.ts), which a packet socket's filter sees with real skb fields.
// Each field the program reads (program-reads.ts) must be one a received
// frame can carry, else the run is declined naming the field and why. What
// sets each field on receive (measured on 6.18, test/fixtures/bpf-receive-facts.mjs):
// - mark: packet_snd() copies SO_MARK into skb->mark, and veth keeps it within
//   one namespace (skb_scrub_packet() clears it only when crossing netns);
// - pkttype, protocol: eth_type_trans() on the receiving veth (veth_xmit() ->
//   __dev_forward_skb()), from the destination MAC and the EtherType (below
//   ETH_P_802_3_MIN: ETH_P_802_3 when the payload starts 0xffff, else ETH_P_802_2);
// - vlan: __netif_receive_skb_core() -> skb_vlan_untag() moves an 802.1Q or
//   802.1ad tag into vlan_proto/vlan_tci before the packet taps (ptype_all) run;
// - device: the receiving veth (ARPHRD_ETHER), created with the asked-for ifindex
//   (its peer at the next), unless the index is one the namespace keeps (RESERVED_IFINDEX);
// - MAC header: the Ethernet header; packet_rcv() gives a SOCK_DGRAM socket the
//   packet at the network header and a SOCK_RAW one the whole frame (so its
//   MAC header is at the data and the network header at 14);
// - queue: the sending veth's transmit queue (netdev_core_pick_tx()), 0 for
//   one queue; measured on 6.18: still 0 on receive with 8 or 4096 transmit
//   queues after a tcx egress program wrote queue + 1 (skb_tx_hash() keeps a
//   recorded queue), so only 0 is given;
// - rxhash: a tcx egress program on the sender calls bpf_set_hash() (the tc
//   helper that writes skb->hash; __sk_buff.hash is read-only), which veth
//   keeps (skb_scrub_packet() leaves the hash alone) and nothing on the
//   receive path recomputes (no RPS).
import { concatBytes } from "../../../wire/netlink/bytes.js";
import type { AncillaryName } from "../../../model/bpf/opcodes.js";
import { givenFields, type SkbMeta, type SkbMetaField } from "../../../model/bpf/skb.js";
import type { Attach } from "../../../model/bpf/validator.js";
import { readsField, type ProgramReads } from "./program-reads.js";

export type RxLayout = "dgram" | "raw";

export interface RxFrame {
  /** The bytes the sending packet socket transmits (VLAN tag inline). */
  frame: Uint8Array;
  /** The frame as the receiving side sees it: the tag moved into the skb. */
  seen: Uint8Array;
  /** The packet type eth_type_trans() gives it, when the program reads it. */
  pkttype?: number;
}

export type RxPlan =
  | { path: "unix" }
  | {
      path: "receive";
      /** SOCK_DGRAM (packet at the network header) or SOCK_RAW (packet is the frame). */
      layout: RxLayout;
      /** SO_MARK of the sending socket. */
      mark: number;
      /** skb->hash the sender's tc program sets, when the program reads it. */
      rxhash?: number;
      /** The receiving device's ifindex, when the program reads it. */
      ifindex?: number;
      /** The receiving device's MAC. */
      deviceMac: Uint8Array;
      frames: RxFrame[];
    };

export const ETH_HLEN = 14;
/** The receiving veth's MTU (receive-path.ts): larger packets are declined. */
export const RX_MTU = 9000;
/**
 * The ifindexes the receive path's namespace keeps for devices no case asks
 * for, so whether a case is declined depends on the case alone, not on what
 * the instance judging it did before: lo (1), the test network's veth0 and
 * veth1 (test-network.ts) and any fallback tunnel devices (sit0, gre0, ...)
 * the kernel adds to a new namespace, all kernel-picked at setup and so low;
 * and, at fixed indices at the top of the range, the xt_bpf bridge and the
 * pair made for a run that reads no ifindex (receive-path.ts). A case's
 * veth takes its ifindex N and its peer N + 1 (N - 1 at the largest), so
 * every N above the range is free.
 */
export const RESERVED_IFINDEX = { max: 31, bridge: 29, autoRx: 30, autoTx: 31 } as const;
export const DEFAULT_RX_MAC = Uint8Array.of(2, 0, 0, 0, 0, 0xaa);
const SECOND_RX_MAC = Uint8Array.of(2, 0, 0, 0, 0, 0xab);
const OTHER_MAC = Uint8Array.of(2, 0, 0, 0, 0, 0xcc);
const SOURCE_MAC = Uint8Array.of(2, 0, 0, 0, 0, 0xbb);
const BROADCAST = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
const MULTICAST = Uint8Array.of(1, 0, 0x5e, 0, 0, 1);
/** IEEE 802 local experimental EtherType: no protocol handler takes it after the taps. */
const ETH_P_LOCAL = 0x88b5;
const ETH_P_8021Q = 0x8100;
const ETH_P_8021AD = 0x88a8;
const ETH_P_802_3_MIN = 0x600;
const ETH_P_802_3 = 1;
const ETH_P_802_2 = 4;
const isVlanType = (t: number) => t === ETH_P_8021Q || t === ETH_P_8021AD;

/** The metadata of an AF_UNIX datagram (contexts.ts SOCKET): an absent field means this. */
const UNIX_DEFAULT = { mark: 0, pkttype: 0, queue: 0, rxhash: 0, protocol: 0, network: 0 } as const;

/**
 * Whether a given field holds what an AF_UNIX datagram's skb has (contexts.ts
 * SOCKET: no device, no MAC header, no VLAN tag, the rest 0), so a socket
 * filter on the socketpair reads it as given, compared as the loads read it.
 */
function unixCarries(meta: SkbMeta, field: SkbMetaField): boolean {
  switch (field) {
    case "device":
    case "mac":
      return meta[field] === null;
    case "vlan":
      return meta.vlan!.proto === 0 && meta.vlan!.tci === 0;
    case "pkttype":
      return (meta.pkttype! & 7) === 0; // 3 bits (PKT_TYPE_MAX)
    case "queue":
      return (meta.queue! & 0xffff) === 0;
    case "protocol":
      return (meta.protocol! & 0xffff) === 0;
    default:
      return meta[field]! >>> 0 === 0; // mark, rxhash, network
  }
}

const PKTTYPE_NAMES = ["host", "broadcast", "multicast", "otherhost"];

class Decline extends Error {}
const decline = (field: string, why: string): never => {
  throw new Decline(`packet metadata ${field}: ${why}`);
};

/** The plan for a socket-filter run with metadata, or why the kernel IUT declines it. */
export function planReceive(
  meta: SkbMeta | undefined,
  reads: ProgramReads,
  packets: readonly Uint8Array[],
  attach: Attach = "socket",
): RxPlan | string {
  // A socket run reading only what the socketpair's skb holds runs there; an xt_bpf run's other path is LOCAL_OUT.
  const carried = (f: SkbMetaField) => !readsField(f, reads) || (attach === "socket" && unixCarries(meta!, f));
  if (!meta || givenFields(meta).every(carried)) return { path: "unix" };
  try {
    if (attach === "socket") return receivePlan(meta, reads, packets, () => UNIX_DEFAULT.protocol);
    const plan = receivePlan(meta, xtReads(meta, reads), packets, ipEthertype);
    if (plan.path === "receive" && plan.layout === "raw")
      decline("mac", "xt_bpf sees the packet at its network header, after the 14-byte Ethernet header");
    return plan;
  } catch (e) {
    if (e instanceof Decline) return e.message;
    throw e;
  }
}

/**
 * xt_bpf's context leaves mark, pkttype, queue, hash, device and MAC header
 * undetermined unless given (contexts.ts XT_BPF: "any"), so a program reading
 * one that is not given constrains nothing; protocol, VLAN tag and network
 * offset have fixed defaults and stay.
 */
function xtReads(meta: SkbMeta, reads: ProgramReads): ProgramReads {
  const free: [keyof SkbMeta, AncillaryName[]][] = [
    ["mark", ["mark"]],
    ["pkttype", ["pkttype"]],
    ["queue", ["queue"]],
    ["rxhash", ["rxhash"]],
    ["device", ["ifindex", "hatype"]],
  ];
  const ancillary = new Set(reads.ancillary);
  for (const [field, names] of free) if (meta[field] === undefined) for (const n of names) ancillary.delete(n);
  return { ancillary, linkLayer: reads.linkLayer && meta.mac !== undefined, network: reads.network };
}

/** xt_bpf's default skb->protocol: the IP version's EtherType (__ip_local_out(), ip_rcv()). */
const ipEthertype = (packet: Uint8Array) => (packet.length > 0 && packet[0]! >> 4 === 6 ? 0x86dd : 0x0800);

function receivePlan(
  meta: SkbMeta,
  reads: ProgramReads,
  packets: readonly Uint8Array[],
  defaultProtocol: (packet: Uint8Array) => number,
): RxPlan {
  const a = reads.ancillary;
  if (a.has("queue") && (meta.queue ?? UNIX_DEFAULT.queue) !== 0)
    decline(
      "queue",
      "a frame a single-queue veth receives has queue_mapping 0, its transmit queue (netdev_core_pick_tx()); a multi-queue veth picks the queue by flow hash (skb_tx_hash())",
    );
  let ifindex: number | undefined;
  if (a.has("ifindex") || a.has("hatype")) {
    if (!meta.device) decline("device", "a received frame always has a device (skb->dev)");
    const device = meta.device!;
    if (a.has("hatype") && device.hatype !== 1)
      decline("device", `hatype ${device.hatype}: the receiving device is a veth, ARPHRD_ETHER (1)`);
    if (a.has("ifindex")) ifindex = device.ifindex;
    if (ifindex !== undefined && ifindex <= RESERVED_IFINDEX.max)
      decline(
        "device",
        `ifindex ${ifindex}: the IUT's namespace keeps ifindexes 1-${RESERVED_IFINDEX.max} for lo, its test network and the receive path's own bridge and veth pair`,
      );
  }
  const layout = chooseLayout(meta, reads);
  const tag = vlanTag(meta, reads);
  const readsProtocol = a.has("protocol") || a.has("pay_offset");
  const pkttype = a.has("pkttype") ? (meta.pkttype ?? UNIX_DEFAULT.pkttype) : undefined;
  if (pkttype !== undefined && pkttype > 3)
    decline("pkttype", `${pkttype}: a received frame is host, broadcast, multicast or otherhost (eth_type_trans())`);
  const macs = new MacNeeds();
  const frames = packets.map((packet, i) => {
    const protocol = readsProtocol ? (meta.protocol ?? defaultProtocol(packet)) : undefined;
    const header = layout === "raw" ? packet.subarray(0, ETH_HLEN) : headerFor(meta, reads, packet, protocol, pkttype);
    if (packet.length > RX_MTU + (layout === "raw" ? ETH_HLEN : 0))
      decline("mac", `packet ${i} is longer than the receiving veth's MTU ${RX_MTU}`);
    if (layout === "raw" && packet.length < ETH_HLEN)
      decline("mac", `packet ${i} is shorter than the Ethernet header a SOCK_RAW packet socket sees it start with`);
    const payload = layout === "raw" ? packet.subarray(ETH_HLEN) : packet;
    const ethertype = (header[12]! << 8) | header[13]!;
    const outer = tag ?? (isVlanType(ethertype) ? outerTagFor(reads, i) : undefined);
    if (outer && payload.length < 2)
      decline(
        "vlan",
        `packet ${i} has ${payload.length} byte(s) after its Ethernet header: skb_vlan_untag() drops a tagged frame without 2 bytes after the tag (pskb_may_pull(VLAN_HLEN + 2))`,
      );
    if (protocol !== undefined && receivedProtocol(ethertype, payload) !== protocol)
      decline(
        "protocol",
        `the MAC header the request gives makes eth_type_trans() give packet ${i} another protocol (the EtherType, or 1 / 4 below 0x600)`,
      );
    if (pkttype !== undefined) macs.need(header.subarray(0, 6), pkttype, i);
    const seen = concat(header, payload);
    const frame = outer
      ? concat(header.subarray(0, 12), be16(outer.proto), be16(outer.tci), header.subarray(12), payload)
      : seen;
    return { frame, seen, ...(pkttype !== undefined ? { pkttype } : {}) };
  });
  const mark = a.has("mark") ? (meta.mark ?? UNIX_DEFAULT.mark) : 0;
  return {
    path: "receive",
    layout,
    mark,
    ...(a.has("rxhash") ? { rxhash: (meta.rxhash ?? UNIX_DEFAULT.rxhash) >>> 0 } : {}),
    ...(ifindex !== undefined ? { ifindex } : {}),
    deviceMac: macs.device(),
    frames,
  };
}

/** SOCK_RAW when the request puts the MAC header at the packet's start and the network header at 14, else SOCK_DGRAM. */
function chooseLayout(meta: SkbMeta, reads: ProgramReads): RxLayout {
  let fromMac: RxLayout | undefined;
  if (reads.linkLayer) {
    const mac = meta.mac;
    if (!mac) decline("mac", "a received frame always has a MAC header (skb_mac_header_was_set())");
    else if (mac.length === 0) fromMac = "raw";
    else if (mac.length === ETH_HLEN) fromMac = "dgram";
    else
      decline(
        "mac",
        `${mac.length} bytes: a received Ethernet frame's MAC header is 14 bytes before the packet, or 0 when the socket sees the whole frame (SOCK_RAW)`,
      );
  }
  let fromNet: RxLayout | undefined;
  if (reads.network) {
    const network = meta.network ?? UNIX_DEFAULT.network;
    if (network === 0) fromNet = "dgram";
    else if (network === ETH_HLEN) fromNet = "raw";
    else
      decline(
        "network",
        `${network}: a packet socket sees the network header at 0 (SOCK_DGRAM) or after the 14-byte Ethernet header (SOCK_RAW)`,
      );
  }
  if (fromMac && fromNet && fromMac !== fromNet)
    decline("network", `${meta.network ?? 0} with a ${meta.mac!.length}-byte MAC header: no packet socket sees both`);
  return fromMac ?? fromNet ?? "dgram";
}

interface Tag {
  proto: number;
  tci: number;
}

/** The tag to send: the request's when the program reads one, none when it asks for none. */
function vlanTag(meta: SkbMeta, reads: ProgramReads): Tag | undefined {
  const a = reads.ancillary;
  if (!(a.has("vlan_tag") || a.has("vlan_tag_present") || a.has("vlan_tpid"))) return undefined;
  const v = meta.vlan;
  if (!v || (v.proto === 0 && v.tci === 0)) return undefined; // vlan_all == 0: no tag
  if (isVlanType(v.proto)) return v;
  if (a.has("vlan_tpid"))
    decline(
      "vlan",
      `proto 0x${v.proto.toString(16)}: skb_vlan_untag() puts only 802.1Q (0x8100) or 802.1ad (0x88a8) tags in skb->vlan_proto`,
    );
  return { proto: ETH_P_8021Q, tci: v.tci }; // the program reads the tci or its presence, not the proto
}

/** A VLAN EtherType in the header needs an outer tag, or the receive path would untag the packet's first bytes. */
function outerTagFor(reads: ProgramReads, i: number): Tag {
  const a = reads.ancillary;
  if (a.has("vlan_tag") || a.has("vlan_tag_present") || a.has("vlan_tpid"))
    decline(
      "vlan",
      `none, but packet ${i}'s EtherType is a VLAN one: __netif_receive_skb_core() would take the packet's first 4 bytes as a tag`,
    );
  return { proto: ETH_P_8021Q, tci: 0 };
}

/** skb->protocol eth_type_trans() gives a frame with this EtherType and payload. */
function receivedProtocol(ethertype: number, payload: Uint8Array): number {
  if (ethertype >= ETH_P_802_3_MIN) return ethertype;
  return payload.length >= 2 && payload[0] === 0xff && payload[1] === 0xff ? ETH_P_802_3 : ETH_P_802_2;
}

/** The Ethernet header of a SOCK_DGRAM run: the request's, or one built for the protocol and packet type it reads. */
function headerFor(
  meta: SkbMeta,
  reads: ProgramReads,
  packet: Uint8Array,
  protocol: number | undefined,
  pkttype: number | undefined,
): Uint8Array {
  if (reads.linkLayer) return meta.mac!;
  const dst = pkttype === 0 ? DEFAULT_RX_MAC : pkttype === 1 ? BROADCAST : pkttype === 2 ? MULTICAST : OTHER_MAC;
  return concat(dst, SOURCE_MAC, be16(ethertypeFor(protocol, packet)));
}

function ethertypeFor(protocol: number | undefined, packet: Uint8Array): number {
  if (protocol === undefined) return ETH_P_LOCAL;
  if (protocol >= ETH_P_802_3_MIN) return protocol;
  const starts = packet.length >= 2 && packet[0] === 0xff && packet[1] === 0xff;
  if ((protocol === ETH_P_802_3 && starts) || (protocol === ETH_P_802_2 && !starts))
    return Math.min(packet.length, ETH_P_802_3_MIN - 1); // an 802.3 length field
  return decline(
    "protocol",
    `0x${protocol.toString(16)}: eth_type_trans() gives an EtherType of at least 0x600, or ETH_P_802_3 (1) for a payload starting 0xffff, else ETH_P_802_2 (4)`,
  );
}

/** The receiving device's MAC that gives each frame its packet type. */
class MacNeeds {
  private host: Uint8Array | undefined;
  private readonly others: Uint8Array[] = [];

  need(dst: Uint8Array, pkttype: number, i: number): void {
    const broadcast = dst.every((b) => b === 0xff);
    const multicast = (dst[0]! & 1) === 1;
    const got = broadcast ? 1 : multicast ? 2 : undefined;
    if (got !== undefined || pkttype === 1 || pkttype === 2) {
      if (got !== pkttype)
        decline(
          "pkttype",
          `${PKTTYPE_NAMES[pkttype]}: packet ${i}'s destination MAC makes it ${got === undefined ? "host or otherhost" : PKTTYPE_NAMES[got]} (eth_type_trans())`,
        );
      return;
    }
    if (pkttype === 3) this.others.push(dst);
    else if (dst.every((b) => b === 0))
      decline(
        "pkttype",
        `host for packet ${i}'s destination MAC 00:00:00:00:00:00, which no device has (is_valid_ether_addr())`,
      );
    else if (this.host && !sameMac(this.host, dst))
      decline("pkttype", `host for two destination MACs (${hexMac(this.host)}, ${hexMac(dst)}): a device has one`);
    else this.host = dst;
  }

  device(): Uint8Array {
    const mac = this.host ?? (this.others.some((m) => sameMac(m, DEFAULT_RX_MAC)) ? SECOND_RX_MAC : DEFAULT_RX_MAC);
    if (this.others.some((m) => sameMac(m, mac)))
      decline("pkttype", `otherhost and host for the same destination MAC ${hexMac(mac)}`);
    return mac;
  }
}

const sameMac = (x: Uint8Array, y: Uint8Array) => x.length === y.length && x.every((b, i) => b === y[i]);
const hexMac = (m: Uint8Array) => [...m].map((b) => b.toString(16).padStart(2, "0")).join(":");
const be16 = (v: number) => Uint8Array.of((v >> 8) & 0xff, v & 0xff);

const concat = (...parts: Uint8Array[]) => concatBytes(parts);
