// The two places the protocol runs a classic program, and what the kernel's
// converted program reads there besides the packet. Which ancillary loads are
// determined by the request is part of the model: "any" ones are not, and a
// run that executes one is marked nondeterministic (properties then allow any
// result). Run-time code: net/core/filter.c convert_bpf_extensions(),
// convert_skb_access(), bpf_skb_load_helper_*(), kernel/bpf/core.c. A
// request's metadata (skb.ts) replaces the defaults field by field
// (contextRules()).
import type { AncillaryName } from "./opcodes.js";
import { LINUX_SEMANTICS, type BpfSemantics } from "./semantics.js";
import type { SkbMeta } from "./skb.js";
import type { Attach } from "./validator.js";
import type { RuleTrace } from "../rules.js";
import { BPF_RULES } from "./rule-catalogue.js";

export type AncillaryBehaviour =
  /** A fixed value in this context. */
  | { kind: "value"; value: number }
  /** The IP version's EtherType (skb->protocol of an IPv4/IPv6 packet). */
  | { kind: "ethertype" }
  /** Computed from the packet, A and X (nlattr, nlattr_nest, alu_xor_x). */
  | { kind: "computed" }
  /** skb->dev is NULL: the converted program exits, returning the current A. */
  | { kind: "exit-a" }
  /** Not determined by the request (CPU, random, a device's index, ...). */
  | { kind: "any" };

export interface ContextRules {
  ancillary: Record<AncillaryName, AncillaryBehaviour>;
  /**
   * Loads at SKF_LL_OFF + n: "fail" ends the program with 0 (no MAC header);
   * "any" reads bytes the request does not give; `mac` reads the MAC header
   * and, past it, the packet (they are one buffer up to skb_tail_pointer()).
   */
  linkLayer: "fail" | "any" | { mac: Uint8Array };
  /** The network header's offset into the packet: SKF_NET_OFF + n reads packet[network + n]. */
  network?: number;
}

const v = (value: number): AncillaryBehaviour => ({ kind: "value", value });
const ANY: AncillaryBehaviour = { kind: "any" };
const COMPUTED: AncillaryBehaviour = { kind: "computed" };

/**
 * socket: a datagram on an AF_UNIX socket (unix_dgram_sendmsg() runs the
 * receiver's sk_filter()). The skb has no device, protocol 0, no mark, queue,
 * hash or VLAN, PACKET_HOST; its network header is where the data starts
 * (never reset after alloc, so offset 0) and its MAC header is never set, so
 * SKF_LL_OFF loads fail (bpf_internal_load_pointer_neg_helper():
 * !skb_mac_header_was_set). The flow dissector knows no protocol 0, so
 * skb_get_poff() gives 0.
 */
const SOCKET: ContextRules = {
  ancillary: {
    protocol: v(0),
    pkttype: v(0),
    ifindex: { kind: "exit-a" },
    nlattr: COMPUTED,
    nlattr_nest: COMPUTED,
    mark: v(0),
    queue: v(0),
    hatype: { kind: "exit-a" },
    rxhash: v(0),
    cpu: ANY,
    alu_xor_x: COMPUTED,
    vlan_tag: v(0),
    vlan_tag_present: v(0),
    pay_offset: v(0),
    random: ANY,
    vlan_tpid: v(0),
  },
  linkLayer: "fail",
};

/**
 * xt_bpf: bpf_mt() runs the program on the skb at the network header. The
 * protocol says which packet, not which hook, device, mark, queue, CPU or
 * hash it comes with: those loads are "any", as are link-layer bytes. A
 * packet as given carries no VLAN tag.
 */
const XT_BPF: ContextRules = {
  ancillary: {
    protocol: { kind: "ethertype" },
    pkttype: ANY,
    ifindex: ANY,
    nlattr: COMPUTED,
    nlattr_nest: COMPUTED,
    mark: ANY,
    queue: ANY,
    hatype: ANY,
    rxhash: ANY,
    cpu: ANY,
    alu_xor_x: COMPUTED,
    vlan_tag: v(0),
    vlan_tag_present: v(0),
    pay_offset: ANY,
    random: ANY,
    vlan_tpid: v(0),
  },
  linkLayer: "any",
};

export const CONTEXT_RULES: Readonly<Record<Attach, ContextRules>> = { socket: SOCKET, xt_bpf: XT_BPF };

/**
 * The context's rules with the request's metadata (skb.ts) in place of its
 * defaults: each given field makes the loads that read it give its value
 * (convert_skb_access(), convert_bpf_extensions()).
 */
export function contextRules(attach: Attach, meta?: SkbMeta, semantics: BpfSemantics = LINUX_SEMANTICS): ContextRules {
  const base = CONTEXT_RULES[attach];
  if (!meta) return base;
  const ancillary = { ...base.ancillary };
  if (meta.mark !== undefined) ancillary.mark = v(meta.mark >>> 0);
  if (meta.pkttype !== undefined) ancillary.pkttype = v(meta.pkttype & 7); // AND PKT_TYPE_MAX
  if (meta.queue !== undefined) ancillary.queue = v(meta.queue & 0xffff);
  if (meta.rxhash !== undefined)
    ancillary.rxhash = v(semantics.rxhashLoad === "word" ? meta.rxhash >>> 0 : meta.rxhash & 0xffff);
  if (meta.protocol !== undefined) {
    ancillary.protocol = v(meta.protocol & 0xffff);
    // skb_get_poff() dissects by skb->protocol: 0 finds nothing (0); any other is not modelled.
    if (attach === "socket" && meta.protocol !== 0) ancillary.pay_offset = ANY;
  }
  if (meta.vlan !== undefined) {
    const { proto, tci } = meta.vlan;
    // BPF_LDX_MEM(BPF_H, vlan_tci): no mask since "net: remove VLAN_TAG_PRESENT"
    ancillary.vlan_tag = v(semantics.vlanTag === "tci" ? tci : tci & ~0x1000);
    ancillary.vlan_tpid = v(proto); // ntohs(skb->vlan_proto)
    // BPF_LDX_MEM(BPF_W, vlan_all); JEQ 0; MOV 1 (since "net: remove skb->vlan_present")
    const present = semantics.vlanPresent === "vlan-all" ? proto !== 0 || tci !== 0 : (tci & 0x1000) !== 0;
    ancillary.vlan_tag_present = v(present ? 1 : 0);
  }
  if (meta.device === null) ancillary.ifindex = ancillary.hatype = { kind: "exit-a" };
  else if (meta.device !== undefined) {
    ancillary.ifindex = v(meta.device.ifindex >>> 0);
    ancillary.hatype = v(meta.device.hatype & 0xffff);
  }
  const mac = semantics.linkLayerBase === "mac" ? meta.mac : meta.mac && new Uint8Array(0);
  const linkLayer = mac === undefined ? base.linkLayer : mac === null ? "fail" : { mac };
  return { ancillary, linkLayer, network: meta.network ?? base.network ?? 0 };
}

/** Whether an ancillary load gives the same answer for the same request. */
export function ancillaryDeterministic(attach: Attach, name: AncillaryName): boolean {
  return CONTEXT_RULES[attach].ancillary[name].kind !== "any";
}

/**
 * What the protocol reports for one run: socket, the bytes accepted
 * (sk_filter_trim_cap(): 0 drops, else pskb_trim to the return value);
 * xt_bpf, 1 when bpf_mt() matched (return value not 0).
 */
export function contextResult(attach: Attach, returned: number, length: number, trace?: RuleTrace): number {
  if (trace) trace.hit(BPF_RULES[contextRule(attach, returned, length)], `returned ${returned}, ${length} bytes`);
  if (attach === "xt_bpf") return returned !== 0 ? 1 : 0;
  return returned === 0 ? 0 : Math.min(returned, length);
}

function contextRule(attach: Attach, returned: number, length: number): keyof typeof BPF_RULES {
  if (attach === "xt_bpf") return returned !== 0 ? "xt-match" : "xt-no-match";
  return returned === 0 ? "socket-drop" : returned < length ? "socket-trim" : "socket-whole";
}
