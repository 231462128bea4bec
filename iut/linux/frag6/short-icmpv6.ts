// ICMPv6 messages under 4 bytes: delivered, but invisible to the delivery
// sockets. A raw ICMPv6 socket applies its type filter to every datagram, and
// icmpv6_filter() (net/ipv6/raw.c) blocks one whose first ICMPV6_HDRLEN (4)
// bytes are not there, whatever the filter; icmpv6_rcv() is still called (it
// counts Icmp6InMsgs, then drops the message: checksum or pskb_pull). Measured
// on 6.18: an atomic fragment with 0, 2 or 3 ICMPv6 bytes raises Ip6InDelivers
// and Icmp6InMsgs by one and reaches no raw socket; with 4 it reaches it.
// The model counts the datagram as delivered (the upper layer got it), so the
// IUT sees it through veth0's Icmp6InMsgs and reports the datagram the upper
// layer was handed.
//
// Only an atomic fragment can hand such a message up: a fragmented datagram's
// first fragment must hold the ICMPv6 header's 8 bytes (ipv6frag_thdr_truncated(),
// on the plain path and, for what conntrack lets through, behind it).
import { readFileSync } from "node:fs";
import { ipv6SkipExthdr } from "../../../wire/ipv6-exthdr.js";
import { parseFragmentPacket, reassembledPacket } from "../../../wire/ipv6-fragment.js";
import { IPPROTO_ICMPV6 } from "../../../wire/protocol-numbers.js";

/** ICMPV6_HDRLEN in net/ipv6/raw.c. */
const ICMPV6_HDRLEN = 4;

/**
 * The datagram the upper layer is handed for `packet` when it is an atomic
 * fragment whose ICMPv6 message is under 4 bytes (its Fragment header removed,
 * as a raw socket would show it), else null.
 */
export function shortIcmpv6Datagram(packet: Uint8Array): Uint8Array | null {
  const f = parseFragmentPacket(packet);
  if (f?.offset !== 0 || f.more) return null;
  const upper = ipv6SkipExthdr(f.data, f.nextHeader, 0);
  if (!upper || upper.type !== IPPROTO_ICMPV6 || f.data.length - upper.at >= ICMPV6_HDRLEN) return null;
  return reassembledPacket(f.unfragmentable, f.prevNextHeaderOffset, f.nextHeader, f.data);
}

/** Whether a delivered (rebuilt) datagram is an ICMPv6 message: one the ICMPv6 delivery socket saw. */
export function isIcmpv6Datagram(packet: Uint8Array): boolean {
  return ipv6SkipExthdr(packet, packet[6]!, 40)?.type === IPPROTO_ICMPV6;
}

/** veth0's Icmp6InMsgs in the calling thread's namespace: every ICMPv6 message icmpv6_rcv() was handed there. */
export function icmpv6InMsgs(): number {
  const m = /^Icmp6InMsgs\s+(\d+)$/m.exec(readFileSync("/proc/thread-self/net/dev_snmp6/veth0", "utf8"));
  if (!m) throw new Error("no Icmp6InMsgs in /proc/net/dev_snmp6/veth0");
  return Number(m[1]);
}
