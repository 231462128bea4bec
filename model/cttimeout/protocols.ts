// The layer-4 trackers that have timeout policies, as nf_ct_l4proto_find()
// (net/netfilter/nf_conntrack_proto.c) returns them, with their DATA attributes
// and per-netns defaults. Every tracker's ctnl_timeout.nlattr_to_obj follows
// one pattern (nf_conntrack_proto_{tcp,udp,icmp,icmpv6,sctp,gre,generic}.c):
// copy the netns defaults, then for each attribute present store
// ntohl(value) * HZ in an unsigned int; obj_to_nlattr puts value / HZ back for
// attribute types 1..count, in order. Defaults measured on 6.18 with
// DEFAULT_GET in a fresh namespace (they are the compiled-in tables).

/** Which per-netns default table a tracker reads and writes (UDP-Lite shares UDP's: nf_udp_pernet). */
export type DefaultsKey = "icmp" | "tcp" | "udp" | "icmpv6" | "sctp" | "gre" | "generic";

export interface L4Tracker {
  l4proto: number;
  name: string;
  defaults: DefaultsKey;
  /** Attribute types 1..count are known (nlattr_max); each is NLA_U32 in the tracker's nla_policy. */
  count: number;
}

export const GENERIC_L4PROTO = 255;

export const TRACKERS: readonly L4Tracker[] = [
  { l4proto: 1, name: "icmp", defaults: "icmp", count: 1 },
  { l4proto: 6, name: "tcp", defaults: "tcp", count: 11 },
  { l4proto: 17, name: "udp", defaults: "udp", count: 2 },
  { l4proto: 47, name: "gre", defaults: "gre", count: 2 },
  { l4proto: 58, name: "icmpv6", defaults: "icmpv6", count: 1 },
  { l4proto: 132, name: "sctp", defaults: "sctp", count: 9 },
  { l4proto: 136, name: "udplite", defaults: "udp", count: 2 },
  { l4proto: GENERIC_L4PROTO, name: "generic", defaults: "generic", count: 1 },
];

/** Compiled-in defaults in seconds, per attribute type 1..count (measured on 6.18: DEFAULT_GET in a fresh netns). */
export const DEFAULT_SECONDS: Readonly<Record<DefaultsKey, readonly number[]>> = {
  icmp: [30],
  // SYN_SENT SYN_RECV ESTABLISHED FIN_WAIT CLOSE_WAIT LAST_ACK TIME_WAIT CLOSE SYN_SENT2 RETRANS UNACK
  tcp: [120, 60, 432000, 120, 60, 30, 120, 10, 120, 300, 300],
  udp: [30, 120], // UNREPLIED REPLIED
  gre: [30, 180],
  icmpv6: [30],
  // CLOSED COOKIE_WAIT COOKIE_ECHOED ESTABLISHED SHUTDOWN_SENT SHUTDOWN_RECD SHUTDOWN_ACK_SENT HEARTBEAT_SENT HEARTBEAT_ACKED(unused: 0)
  sctp: [10, 3, 3, 210, 3, 3, 3, 30, 0],
  generic: [600],
};

/**
 * nf_ct_l4proto_find(): the tracker for l4num, or the generic one (255) when
 * none is built in. Callers treat `tracker.l4proto !== l4num` as unsupported.
 */
export function findTracker(l4num: number): L4Tracker {
  return TRACKERS.find((t) => t.l4proto === l4num) ?? TRACKERS.find((t) => t.l4proto === GENERIC_L4PROTO)!;
}

export function isSupported(l4num: number): boolean {
  return findTracker(l4num).l4proto === l4num;
}

/**
 * What a timeout of `seconds` reads back as: ntohl(v) * HZ is stored in an
 * unsigned int (wrapping modulo 2^32) and obj_to_nlattr puts jiffies / HZ.
 * The model keeps these read-back seconds: the jiffies below one second that
 * a wrap leaves are never observable, since every copy keeps the jiffies and
 * every read divides by HZ.
 */
export function storedSeconds(seconds: number, hz: number): number {
  return Math.floor(Number((BigInt(seconds >>> 0) * BigInt(hz)) % 0x1_0000_0000n) / hz);
}
