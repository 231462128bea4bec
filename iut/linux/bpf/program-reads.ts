// Which skb fields a classic program may read, found without running it, so
// the kernel IUT gives a run only the metadata that can change its results.
// An over-approximation: a load that is never reached still counts. Where a
// load reads (net/core/filter.c): bpf_convert_filter() turns an LD|ABS at
// SKF_AD_OFF + n into convert_bpf_extensions()'s skb field read; any other
// negative offset of LD|ABS, LD|IND or LDX|MSH goes to
// bpf_internal_load_pointer_neg_helper(): SKF_NET_OFF + n from the network
// header, SKF_LL_OFF + n from the MAC header. An IND load's offset is k + X,
// known only at run time, so it may read either header.
import {
  ancillaryOf,
  BPF_ABS,
  BPF_IND,
  BPF_LD,
  BPF_LDX,
  BPF_MSH,
  bpfClass,
  bpfMode,
  SKF_AD_OFF,
  SKF_LL_OFF,
  SKF_NET_OFF,
  type AncillaryName,
  type Insn,
} from "../../../model/bpf/opcodes.js";
import type { SkbMetaField } from "../../../model/bpf/skb.js";

export interface ProgramReads {
  ancillary: ReadonlySet<AncillaryName>;
  /** A load may read from the MAC header (SKF_LL_OFF + n). */
  linkLayer: boolean;
  /** A load may read from the network header (SKF_NET_OFF + n). */
  network: boolean;
}

export function programReads(program: readonly Insn[]): ProgramReads {
  const ancillary = new Set<AncillaryName>();
  let linkLayer = false;
  let network = false;
  for (const [code, , , k] of program) {
    const cls = bpfClass(code);
    const mode = bpfMode(code);
    if (cls === BPF_LD && mode === BPF_IND) linkLayer = network = true;
    const abs = cls === BPF_LD && mode === BPF_ABS;
    if (!abs && !(cls === BPF_LDX && mode === BPF_MSH)) continue;
    const u = k >>> 0;
    if (u < SKF_LL_OFF) continue; // k >= 0 reads the packet; below SKF_LL_OFF nothing
    if (u < SKF_NET_OFF) linkLayer = true;
    else if (u < SKF_AD_OFF) network = true;
    else if (abs) {
      const name = ancillaryOf(u);
      if (name) ancillary.add(name);
    }
  }
  return { ancillary, linkLayer, network };
}

/** Whether the program may read the skb field a bpf.run metadata field sets (model/bpf/skb.ts). */
export function readsField(field: SkbMetaField, reads: ProgramReads): boolean {
  const a = reads.ancillary;
  switch (field) {
    case "vlan":
      return a.has("vlan_tag") || a.has("vlan_tag_present") || a.has("vlan_tpid");
    case "protocol": // skb_get_poff() dissects by skb->protocol
      return a.has("protocol") || a.has("pay_offset");
    case "device":
      return a.has("ifindex") || a.has("hatype");
    case "mac":
      return reads.linkLayer;
    case "network":
      return reads.network;
    default:
      return a.has(field);
  }
}
