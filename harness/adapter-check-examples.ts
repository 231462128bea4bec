// One small well-formed request per protocol op, for `nfconform adapter-check`:
// valid by its op's declaration in iut/ops (a test checks each), plain enough
// that any adapter of the area can answer it. Per area, in the order they run:
// an op that names what an earlier one made (a handle, a ref) takes it from
// that op's reply.
import type { AreaName, Params, Result } from "../iut/ops/common.js";

export interface OpExample {
  op: string;
  /** The request, given the replies of the ops of this area that ran before it. */
  request(earlier: Readonly<Record<string, Result>>): Params;
}

/** IPv6 2001:db8::1 -> 2001:db8::2, Next Header 59 (none), 8 bytes of payload: not a fragment. */
const IPV6_PACKET = `6000000000083b40${"20010db8000000000000000000000001"}${"20010db8000000000000000000000002"}0000000000000000`;
/**
 * IPv4 198.51.100.1 -> 198.51.100.2 UDP 4660 -> 22136, no payload, header
 * checksum set, UDP checksum 0. Not 192.0.2.0/24: the kernel IUT's own link
 * uses it and declines packets from those addresses (iut/linux/address-policy.ts).
 */
const IPV4_UDP_PACKET = "4500001c0000000040112667c6336401c6336402123456780008" + "0000";
/** nlmsghdr (20 bytes, IPCTNL_MSG_TIMEOUT_GET of subsystem 8, NLM_F_REQUEST|NLM_F_DUMP, seq 1) and nfgenmsg. */
const TIMEOUT_DUMP = "14000000010801030100000000000000" + "00000000";
const NAME = "nfconform-check";

const fixed = (params: Params) => (): Params => params;

/** What an earlier reply named (a handle, a ref), or a name no adapter gave out when it named none. */
function earlierField(earlier: Readonly<Record<string, Result>>, op: string, field: string): string {
  const value = earlier[op]?.[field];
  return typeof value === "string" && value !== "" ? value : "nfconform-none";
}

export const OP_EXAMPLES: Record<AreaName, readonly OpExample[]> = {
  hooks: [
    {
      op: "hooks.register",
      request: fixed({ name: NAME, family: "ipv4", hook: "input", priority: 0, verdict: "accept", device: null }),
    },
    { op: "hooks.traverse", request: fixed({ family: "ipv4", hook: "input", device: null }) },
    { op: "hooks.unregister", request: fixed({ name: NAME }) },
    // Optional: an adapter that does not implement it answers unsupported (declined, kept).
    {
      op: "hooks.batch",
      request: fixed({
        steps: [
          {
            op: "hooks.register",
            name: NAME,
            family: "ipv4",
            hook: "input",
            priority: 0,
            verdict: "accept",
            device: null,
          },
          { op: "hooks.traverse", family: "ipv4", hook: "input", device: null },
          { op: "hooks.unregister", name: NAME },
        ],
      }),
    },
    // Optional too: a chain below the defrag hook, a defrag user, one unfragmented packet (every chain sees it).
    {
      op: "hooks.fragments",
      request: fixed({ steps: [{ chain: "early", priority: -401 }, { defragUser: true }], packets: [IPV6_PACKET] }),
    },
  ],
  frag6: [{ op: "frag6.run", request: fixed({ events: [{ t: 0, packet: IPV6_PACKET }] }) }],
  checksum: [
    { op: "checksum.fill", request: fixed({ packet: IPV4_UDP_PACKET, state: "none", gso: false }) },
    {
      op: "checksum.checkentry",
      request: fixed({
        family: "ipv4",
        table: "mangle",
        hook: "postrouting",
        operation: 1,
        proto: 17,
        invertProto: false,
      }),
    },
  ],
  bpf: [
    // BPF_RET|BPF_K 0xffffffff: accept the whole packet.
    { op: "bpf.load", request: fixed({ program: [[6, 0, 0, 0xffffffff]], attach: "socket" }) },
    { op: "bpf.run", request: (e) => ({ handle: earlierField(e, "bpf.load", "handle"), packets: ["00010203"] }) },
    { op: "bpf.unload", request: (e) => ({ handle: earlierField(e, "bpf.load", "handle") }) },
  ],
  cttimeout: [
    { op: "netlink", request: fixed({ messages: [TIMEOUT_DUMP] }) },
    { op: "cttimeout.attach", request: fixed({ name: NAME, l3proto: 2, l4proto: 17 }) },
    { op: "cttimeout.detach", request: (e) => ({ ref: earlierField(e, "cttimeout.attach", "ref") }) },
  ],
};
