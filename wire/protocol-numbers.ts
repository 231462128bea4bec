// Protocol numbers on the wire, the one home for every one the suite names.
// IP protocol numbers (IPv4 Protocol, IPv6 Next Header: IANA "Assigned
// Internet Protocol Numbers"; Linux include/uapi/linux/in.h and in6.h
// IPPROTO_*, include/net/ipv6.h NEXTHDR_*, which are the same numbers),
// EtherTypes (include/uapi/linux/if_ether.h ETH_P_*), and ICMPv6 types and
// codes (RFC 4443; include/uapi/linux/icmpv6.h), and the packet types of
// packet sockets and cooked captures. Socket calls take the
// same numbers (socket(AF_INET6, SOCK_RAW, IPPROTO_UDP), level IPPROTO_IPV6).
export const IPPROTO_IP = 0;
export const IPPROTO_HOPOPTS = 0;
export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_ROUTING = 43;
export const IPPROTO_FRAGMENT = 44;
export const IPPROTO_AH = 51;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_NONE = 59;
export const IPPROTO_DSTOPTS = 60;
/** RFC 3692 "use for experimentation and testing": the upper layer no stack handles. */
export const IPPROTO_EXPERIMENT = 253;
export const IPPROTO_RAW = 255;

export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_IPV6 = 0x86dd;

export const ICMPV6_TIME_EXCEED = 3;
export const ICMPV6_PARAMPROB = 4;
/** ICMPV6_TIME_EXCEED code: fragment reassembly time exceeded. */
export const ICMPV6_EXC_FRAGTIME = 1;
/** ICMPV6_PARAMPROB codes. */
export const ICMPV6_HDR_FIELD = 0;
export const ICMPV6_UNK_NEXTHDR = 1;
export const ICMPV6_UNK_OPTION = 2;
export const ICMPV6_HDR_INCOMP = 3;

// sll_pkttype (include/uapi/linux/if_packet.h): which way a frame went.
export const PACKET_HOST = 0;
export const PACKET_BROADCAST = 1;
export const PACKET_MULTICAST = 2;
export const PACKET_OTHERHOST = 3;
export const PACKET_OUTGOING = 4;
