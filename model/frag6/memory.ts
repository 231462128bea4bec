// Reassembly memory as Linux counts it (frag_mem_limit(), per fqdir): the
// truesize of every queued skb plus the size of each queue. The real truesize
// depends on the driver and allocator; the model approximates it (see
// docs/model-frag6.md) and documents that a kernel IUT must calibrate floods.

/** sizeof(struct frag_queue) on x86_64, rounded: the per-queue charge of inet_frag_alloc(). */
export const FRAG_QUEUE_SIZE = 192;

/**
 * skb->truesize of a received fragment, approximated as SKB_TRUESIZE() of a
 * kmalloc'ed head: the data (with 64 bytes of headroom and the 320-byte
 * skb_shared_info) rounded up to a power of two, plus the 256-byte sk_buff.
 */
export function fragmentTruesize(packetLength: number): number {
  let buffer = 512;
  while (buffer < packetLength + 64 + 320) buffer *= 2;
  return buffer + 256;
}
