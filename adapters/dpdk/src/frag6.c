/* Area frag6 on DPDK's rte_ip_frag, called as DPDK's examples/ip_reassembly
 * calls it: rte_ipv6_frag_get_ipv6_fragment_header() finds a Fragment header
 * directly after the IPv6 header (the only place the library looks), the mbuf's
 * l3_len covers both headers, and rte_ipv6_frag_reassemble_packet() gets the
 * arrival time; freed mbufs wait on the death row until the burst is done.
 *
 * Virtual time: the table's max_cycles is the case's timeoutMs and each
 * fragment's timestamp is its event's `t`, so one cycle is one virtual ms.
 * rte_ip_frag has no timer: an expired queue is dropped when a later lookup
 * meets it, and never produces anything, so time running on after the last
 * event changes nothing observable. It sends no ICMP (that is the
 * application's job), so replies carry no `icmp`. */
#include "ops.h"
#include "mbufs.h"

#include <rte_ip.h>
#include <rte_errno.h>
#include <rte_ip_frag.h>
#include <stdlib.h>

/* The protocol's defaults (include/net/ipv6.h): rte_ip_frag limits flows, not bytes. */
#define DEFAULT_HIGH_THRESH (4 * 1024 * 1024)
#define DEFAULT_LOW_THRESH (3 * 1024 * 1024)
#define BUCKETS 1024
#define BUCKET_ENTRIES 16
#define MAX_FLOWS (BUCKETS * BUCKET_ENTRIES)
#define IPV6_HDR_LEN sizeof(struct rte_ipv6_hdr)
#define FRAG_HDR_LEN sizeof(struct rte_ipv6_fragment_ext)

struct event {
	int64_t t;
	uint8_t *packet;
	size_t len;
};

static void free_events(struct event *ev, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ev[i].packet);
	free(ev);
}

/* The request's events and timeout, or an `invalid` reply. */
static int read_request(json_t *req, struct event **events, size_t *count, int64_t *timeout, struct reply *err)
{
	json_t *list, *config = json_object_get(req, "config");
	*timeout = 60000;
	if (config) {
		int64_t high, low;
		if (!json_is_object(config)) {
			*err = fail("invalid", "\"config\" must be an object");
			return -1;
		}
		if (field_int(config, "timeoutMs", 1, 1LL << 40, timeout, err) < 0 ||
		    field_int(config, "highThresh", 0, 1LL << 40, &high, err) < 0 ||
		    field_int(config, "lowThresh", 0, 1LL << 40, &low, err) < 0)
			return -1;
		if (high != DEFAULT_HIGH_THRESH || low != DEFAULT_LOW_THRESH) {
			*err = fail("invalid", "memory thresholds other than the defaults cannot be set: rte_ip_frag "
					       "limits the number of flows in its table, not the bytes they hold");
			return -1;
		}
	}
	if (field_array(req, "events", &list, err) < 0)
		return -1;
	size_t n = json_array_size(list);
	struct event *ev = calloc(n + 1, sizeof(*ev));
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(list, i);
		if (!json_is_object(e) || field_int(e, "t", 0, 1LL << 40, &ev[i].t, err) < 0 ||
		    field_hex(e, "packet", &ev[i].packet, &ev[i].len, err) < 0) {
			if (!json_is_object(e))
				*err = fail("invalid", "events[%zu] must be an object", i);
			free_events(ev, n);
			return -1;
		}
		if (i > 0 && ev[i].t < ev[i - 1].t) {
			*err = fail("invalid", "events[%zu].t must not be less than the t before it", i);
			free_events(ev, n);
			return -1;
		}
	}
	*events = ev;
	*count = n;
	return 0;
}

/* A packet the library cannot be handed without reading past it: declined. */
static const char *unreadable(const struct event *e)
{
	if (e->len < IPV6_HDR_LEN)
		return "shorter than an IPv6 header: the library reads the header by pointer";
	if (e->packet[6] == IPPROTO_FRAGMENT && e->len < IPV6_HDR_LEN + FRAG_HDR_LEN)
		return "its Fragment header is cut short: the library reads it by pointer";
	if ((e->packet[0] >> 4) != 6)
		return "not IPv6 (version field): an application would not hand it to the IPv6 reassembler";
	return NULL;
}

static void deliver(json_t *delivered, int64_t t, const struct rte_mbuf *m)
{
	size_t len;
	uint8_t *bytes = mbuf_bytes(m, &len);
	json_array_append_new(delivered, json_pack("{s:I,s:o}", "t", (json_int_t)t, "packet", hex_encode(bytes, len)));
	free(bytes);
}

/* One packet through the receive path; delivered datagrams are appended. */
static int receive(struct rte_ip_frag_tbl *tbl, struct rte_ip_frag_death_row *dr, const struct event *e,
		   json_t *delivered)
{
	struct rte_mbuf *m = mbuf_from(e->packet, e->len);
	if (!m)
		return -1;
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *);
	struct rte_ipv6_fragment_ext *frag = rte_ipv6_frag_get_ipv6_fragment_header(ip);
	if (!frag) {
		deliver(delivered, e->t, m); /* not a fragment: up the stack as it came */
		rte_pktmbuf_free(m);
		return 0;
	}
	m->l2_len = 0;
	m->l3_len = IPV6_HDR_LEN + FRAG_HDR_LEN;
	struct rte_mbuf *whole = rte_ipv6_frag_reassemble_packet(tbl, dr, m, (uint64_t)e->t, ip, frag);
	if (whole) {
		deliver(delivered, e->t, whole);
		rte_pktmbuf_free(whole);
	}
	rte_ip_frag_free_death_row(dr, 0);
	return 0;
}

struct reply frag6_run(json_t *req)
{
	struct event *events;
	size_t n;
	int64_t timeout;
	struct reply err;
	if (read_request(req, &events, &n, &timeout, &err) < 0)
		return err;
	for (size_t i = 0; i < n; i++) {
		const char *why = unreadable(&events[i]);
		if (why) {
			err = fail("invalid", "events[%zu]: %s", i, why);
			free_events(events, n);
			return err;
		}
	}
	/* A fresh table per run: each run starts from an empty reassembly state. */
	struct rte_ip_frag_tbl *tbl =
		rte_ip_frag_table_create(BUCKETS, BUCKET_ENTRIES, MAX_FLOWS, (uint64_t)timeout, SOCKET_ID_ANY);
	if (!tbl) {
		free_events(events, n);
		return fail("internal", "rte_ip_frag_table_create failed: %s", rte_strerror(rte_errno));
	}
	struct rte_ip_frag_death_row dr = { 0 };
	json_t *delivered = json_array();
	int failed = 0;
	for (size_t i = 0; i < n && !failed; i++)
		failed = receive(tbl, &dr, &events[i], delivered) < 0;
	rte_ip_frag_free_death_row(&dr, 0);
	rte_ip_frag_table_destroy(tbl);
	free_events(events, n);
	if (failed) {
		json_decref(delivered);
		return fail("internal", "the mbuf pool ran dry");
	}
	return ok(json_pack("{s:o}", "delivered", delivered));
}
