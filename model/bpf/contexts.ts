// The two places the protocol runs a classic program, and what the kernel's
// converted program reads there besides the packet. Which ancillary loads are
// determined by the request is part of the model: "any" ones are not, and a
// run that executes one is marked nondeterministic (properties then allow any
// result). Run-time code: net/core/filter.c convert_bpf_extensions(),
// convert_skb_access(), bpf_skb_load_helper_*(), kernel/bpf/core.c.
import type { AncillaryName } from "./opcodes.js";
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
  /** Loads at SKF_LL_OFF + n: "fail" ends the program with 0; "any" reads bytes the request does not give. */
  linkLayer: "fail" | "any";
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
