// The packet metadata a bpf.run request may give (the skb fields a classic
// program reads besides the packet): each given field replaces the context's
// default (contexts.ts), so a load the request used not to determine becomes
// one it does. Which sk_buff field each ancillary load reads:
// net/core/filter.c convert_skb_access() and convert_bpf_extensions().

/** skb metadata; an absent field keeps the context's default. */
export interface SkbMeta {
  /** skb->mark (SKF_AD_MARK). */
  mark?: number;
  /** skb->vlan_proto and vlan_tci: VLAN_TAG is the tci, VLAN_TPID the proto, VLAN_TAG_PRESENT is vlan_all != 0. Absent: no tag. */
  vlan?: { proto: number; tci: number };
  /** skb->pkt_type, 3 bits (SKF_AD_PKTTYPE: PACKET_HOST 0 ... PACKET_OTHERHOST 3, up to 7). */
  pkttype?: number;
  /** skb->queue_mapping (SKF_AD_QUEUE). */
  queue?: number;
  /** skb->hash (SKF_AD_RXHASH reads the field; it computes nothing). */
  rxhash?: number;
  /** skb->protocol, as a host-order EtherType (SKF_AD_PROTOCOL: ntohs). */
  protocol?: number;
  /** skb->dev: its ifindex and type (SKF_AD_IFINDEX, SKF_AD_HATYPE); null: no device (the program ends returning A). */
  device?: { ifindex: number; hatype: number } | null;
  /** The MAC header: the bytes from skb_mac_header() up to the packet's start; null: not set (SKF_LL_OFF loads fail). */
  mac?: Uint8Array | null;
  /** The network header's offset into the packet (skb_network_offset()); SKF_NET_OFF + n reads from there. */
  network?: number;
}

export const SKB_META_FIELDS = [
  "mark",
  "vlan",
  "pkttype",
  "queue",
  "rxhash",
  "protocol",
  "device",
  "mac",
  "network",
] as const satisfies readonly (keyof SkbMeta)[];

export type SkbMetaField = (typeof SKB_META_FIELDS)[number];

/** The fields a metadata record gives. */
export function givenFields(meta: SkbMeta | undefined): SkbMetaField[] {
  return meta ? SKB_META_FIELDS.filter((f) => meta[f] !== undefined) : [];
}
