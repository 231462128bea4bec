// Reassembly memory as Linux counts it (frag_mem_limit(), per fqdir): the
// truesize of every queued skb plus the size of each queue. The truesize
// depends on how the fragment reached the stack; the model charges what the
// kernel IUT's link charges (a frame written with AF_PACKET and a
// virtio_net_hdr on one end of a veth pair, x86_64, 4 KiB pages), measured on
// 6.18 with /proc/net/sockstat6 (docs/model-frag6.md, "Memory").

/** sizeof(struct frag_queue) on x86_64 (6.18, measured): the per-queue charge of inet_frag_alloc(). */
export const FRAG_QUEUE_SIZE = 184;

/** SKB_DATA_ALIGN(sizeof(struct sk_buff)): every skb's share of its truesize. */
const SKB_SIZE = 256;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)): part of every head allocation. */
const SHARED_INFO = 320;
/** skb_small_head_cache's object size (SKB_SMALL_HEAD_CACHE_SIZE): heads this small share one slab. */
const SMALL_HEAD = 576;
/** LL_RESERVED_SPACE(veth) that packet_snd() reserves before the 14-byte Ethernet header. */
const PREPAD = 16;
const ETH_HLEN = 14;
const PAGE_SIZE = 4096;

const align = (n: number, to: number) => Math.ceil(n / to) * to;

/**
 * skb->truesize of a received fragment of `packetLength` IPv6 bytes.
 * packet_alloc_skb(): a frame under a page (PREPAD + frame < PAGE_SIZE) gets
 * one kmalloc'ed head (the small-head slab, else the next power of two); a
 * larger one keeps only the Ethernet header linear (virtio_net_hdr hdr_len 0,
 * so `linear` is hard_header_len) and the rest in page frags, each chunk a
 * power-of-two number of pages (alloc_skb_with_frags()), together
 * PAGE_ALIGN(data): SKB_TRUESIZE() of the head plus those pages.
 */
export function fragmentTruesize(packetLength: number): number {
  const frame = ETH_HLEN + packetLength;
  if (PREPAD + frame >= PAGE_SIZE) return SMALL_HEAD + SKB_SIZE + align(packetLength, PAGE_SIZE);
  const head = align(PREPAD + frame, 64) + SHARED_INFO;
  let bucket = SMALL_HEAD;
  if (head > SMALL_HEAD) for (bucket = 1024; bucket < head; bucket *= 2);
  return bucket + SKB_SIZE;
}
