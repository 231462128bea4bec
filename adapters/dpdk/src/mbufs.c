#include "mbufs.h"

#include <stdlib.h>
#include <string.h>

static struct rte_mempool *pool;

int mbufs_init(void)
{
	pool = rte_pktmbuf_pool_create("nfconform", 8191, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	return pool ? 0 : -1;
}

struct rte_mempool *mbufs_pool(void)
{
	return pool;
}

struct rte_mbuf *mbuf_from(const uint8_t *bytes, size_t len)
{
	struct rte_mbuf *head = NULL;
	size_t done = 0;
	do {
		struct rte_mbuf *seg = rte_pktmbuf_alloc(pool);
		if (!seg) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		size_t n = len - done;
		if (n > rte_pktmbuf_tailroom(seg))
			n = rte_pktmbuf_tailroom(seg);
		memcpy(rte_pktmbuf_append(seg, (uint16_t)n), bytes + done, n);
		done += n;
		if (!head)
			head = seg;
		else if (rte_pktmbuf_chain(head, seg) < 0) {
			rte_pktmbuf_free(seg);
			rte_pktmbuf_free(head);
			return NULL;
		}
	} while (done < len);
	return head;
}

uint8_t *mbuf_bytes(const struct rte_mbuf *m, size_t *len)
{
	uint8_t *out = malloc(m->pkt_len + 1);
	size_t n = 0;
	for (const struct rte_mbuf *seg = m; seg; seg = seg->next) {
		memcpy(out + n, rte_pktmbuf_mtod(seg, const uint8_t *), seg->data_len);
		n += seg->data_len;
	}
	*len = n;
	return out;
}
