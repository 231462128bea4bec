// Which of bpf.run's packet metadata the kernel IUT gives xt_bpf's packets
// for real, and why it declines the rest (docs/adapter-protocol.md: a field
// the IUT cannot set is `unsupported`, per case). xt_bpf runs at LOCAL_OUT on
// packets a raw socket sends (xt-programs.ts). Socket runs with metadata are
// planned in rx-plan.ts (a frame a veth receives).
import type { SkbMeta, SkbMetaField } from "../../../model/bpf/skb.js";
import { givenFields } from "../../../model/bpf/skb.js";
import { ANCILLARY_NAMES } from "../../../model/bpf/opcodes.js";
import { readsField, type ProgramReads } from "./program-reads.js";

/** A program that may read every field. */
const ALL_READS: ProgramReads = { ancillary: new Set(ANCILLARY_NAMES), linkLayer: true, network: true };

/** Why xt_bpf at LOCAL_OUT cannot carry a field, or null when the IUT sets it (mark: SO_MARK). */
const XT_DECLINE: Record<SkbMetaField, string | null> = {
  mark: null,
  protocol: null, // checked per packet below: __ip_local_out() sets the IP version's EtherType
  vlan: "no VLAN tag is on a packet at LOCAL_OUT (a VLAN device tags it when it transmits)",
  pkttype:
    "skb->pkt_type of a locally sent packet is not set by this IUT (an nft `meta pkttype set` rule is not built)",
  queue: "queue_mapping is chosen after LOCAL_OUT (netdev_core_pick_tx())",
  rxhash: "no interface sets skb->hash of a raw socket's packet before LOCAL_OUT",
  device: "skb->dev at LOCAL_OUT is the route's device, not one the request names",
  mac: "a packet at LOCAL_OUT has no MAC header yet (the neighbour output builds it)",
  network: "xt_bpf sees the packet at its network header (offset 0)",
};

/**
 * Why the kernel IUT cannot run these packets through xt_bpf with this
 * metadata, or null. A field the program cannot read (program-reads.ts)
 * cannot change a result, so it is not declined.
 */
export function xtMetaProblem(
  meta: SkbMeta | undefined,
  packets: readonly Uint8Array[],
  reads: ProgramReads = ALL_READS,
): string | null {
  const given = givenFields(meta).filter((f) => readsField(f, reads));
  if (!meta || given.length === 0) return null;
  for (const field of given) {
    if (field === "mac" && meta.mac === null) continue; // none yet at LOCAL_OUT (see XT_DECLINE)
    const why = XT_DECLINE[field];
    if (why) return `packet metadata ${field}: ${why}`;
  }
  if (meta.protocol !== undefined && given.includes("protocol")) {
    const other = packets.findIndex((p) => meta.protocol !== (p[0]! >> 4 === 6 ? 0x86dd : 0x0800));
    if (other >= 0)
      return `packet metadata protocol 0x${meta.protocol.toString(16)}: packet ${other}'s skb->protocol at LOCAL_OUT is its IP version's EtherType (__ip_local_out())`;
  }
  return null;
}
