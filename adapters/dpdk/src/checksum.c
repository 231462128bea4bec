/* Area checksum: the fill a DPDK application does in software for a packet
 * whose mbuf asks for L4 checksum offload (RTE_MBUF_F_TX_UDP_CKSUM or
 * _TCP_CKSUM). That is the protocol's `partial` state: the field holds the
 * pseudo-header sum, as rte_ipv4_phdr_cksum() / rte_ipv6_phdr_cksum() leave
 * it for the NIC. The fill is the documented one: the field set to 0, then
 * rte_ipv4_udptcp_cksum() / rte_ipv6_udptcp_cksum() over the contiguous
 * headers, stored as returned. Any other state asks for no offload, so
 * nothing touches the packet. GSO (RTE_MBUF_F_TX_TCP_SEG) is rte_gso's
 * business, not these helpers': declined. DPDK has no xtables rule to check,
 * so checksum.checkentry is unsupported. */
#include "ops.h"

#include <netinet/in.h>
#include <rte_ip.h>
#include <stdlib.h>
#include <string.h>

static const char *const STATES[] = { "partial", "none", "unnecessary", "complete", NULL };
enum { PARTIAL };

/* The transport header's offset, as an application sets l3_len: past the IPv6
 * extension headers an upper layer may follow (Hop-by-Hop, Routing, Destination
 * Options, AH). NULL when found, else why the packet has no UDP/TCP header. */
static const char *transport_offset(const uint8_t *p, size_t len, size_t *l4, uint8_t *proto)
{
	if (len < 1)
		return "the packet is empty";
	if (p[0] >> 4 == 4) {
		size_t ihl = (p[0] & 15) * 4u;
		if (len < 20 || ihl < 20 || ihl > len)
			return "the IPv4 header is cut short";
		if (((size_t)p[2] << 8 | p[3]) != len)
			return "the IPv4 total length differs from the bytes given";
		*l4 = ihl;
		*proto = p[9];
	} else if (p[0] >> 4 == 6) {
		if (len < 40 || ((size_t)p[4] << 8 | p[5]) + 40 != len)
			return "the IPv6 payload length differs from the bytes given";
		size_t at = 40;
		uint8_t next = p[6];
		while (next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_DSTOPTS || next == IPPROTO_AH) {
			if (at + 2 > len)
				return "an IPv6 extension header is cut short";
			size_t hlen = next == IPPROTO_AH ? (p[at + 1] + 2u) * 4u : (p[at + 1] + 1u) * 8u;
			next = p[at];
			at += hlen;
		}
		*l4 = at;
		*proto = next;
	} else
		return "the IP version is neither 4 nor 6";
	if (*proto != IPPROTO_UDP && *proto != IPPROTO_TCP)
		return "the upper layer is neither UDP nor TCP";
	if (*l4 + (*proto == IPPROTO_UDP ? 8 : 20) > len)
		return "the transport header is cut short";
	return NULL;
}

struct reply checksum_fill(json_t *req)
{
	uint8_t *p;
	size_t len, l4;
	int state, gso;
	uint8_t proto;
	struct reply err;
	if (field_enum(req, "state", STATES, &state, &err) < 0 || field_bool(req, "gso", &gso, &err) < 0 ||
	    field_hex(req, "packet", &p, &len, &err) < 0)
		return err;
	const char *why = transport_offset(p, len, &l4, &proto);
	if (why) {
		free(p);
		return fail("invalid", "%s", why);
	}
	if (gso) {
		free(p);
		return fail("invalid", "GSO packets are segmented by rte_gso, outside the checksum helpers");
	}
	if (state == PARTIAL) {
		/* rte_ipv6_udptcp_cksum() sums payload_len bytes from the transport
		 * header (C1), so with extension headers it reads their length past
		 * the packet's end. Those bytes are zeros here: left as the heap had
		 * them, the answer depended on earlier requests (C3). */
		size_t over = p[0] >> 4 == 6 ? l4 - 40 : 0;
		uint8_t *room = realloc(p, len + over + 1);
		if (!room) {
			free(p);
			return fail("internal", "out of memory");
		}
		p = room;
		memset(p + len, 0, over + 1);
		uint8_t *field = p + l4 + (proto == IPPROTO_UDP ? 6 : 16);
		memset(field, 0, 2); /* "The layer 4 checksum must be set to 0 in the L4 header by the caller." */
		uint16_t sum = p[0] >> 4 == 4 ? rte_ipv4_udptcp_cksum((const struct rte_ipv4_hdr *)p, p + l4)
					       : rte_ipv6_udptcp_cksum((const struct rte_ipv6_hdr *)p, p + l4);
		memcpy(field, &sum, 2); /* already in network order, as DPDK applications store it */
	}
	json_t *out = json_pack("{s:o}", "packet", hex_encode(p, len));
	free(p);
	return ok(out);
}

struct reply checksum_checkentry(json_t *req)
{
	(void)req;
	return fail("unsupported", "DPDK has no xtables CHECKSUM rule whose checkentry could be asked");
}
