/* Packets as DPDK holds them: mbuf chains from a pool of ordinary 2 KiB
 * buffers (RTE_MBUF_DEFAULT_BUF_SIZE), as a NIC would receive them. */
#ifndef NFC_MBUFS_H
#define NFC_MBUFS_H

#include <rte_mbuf.h>
#include <stddef.h>
#include <stdint.h>

int mbufs_init(void);
struct rte_mempool *mbufs_pool(void);
/* A chain holding `bytes`, NULL when the pool is empty. Each segment holds 2048 bytes, more
 * than any header the library reads by pointer: headers never straddle segments. */
struct rte_mbuf *mbuf_from(const uint8_t *bytes, size_t len);
/* The chain's bytes, malloc'ed; *len set. */
uint8_t *mbuf_bytes(const struct rte_mbuf *m, size_t *len);

#endif
