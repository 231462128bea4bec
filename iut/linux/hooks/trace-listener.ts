// nftrace events (NFT_MSG_TRACE to NFNLGRP_NFTRACE) of this namespace. The
// kernel queues them on the socket synchronously in the packet path
// (nf_tables_trace.c, nfnetlink_send()), so once a packet has reached its end
// point every event about it is already here. A full receive buffer drops
// events and the next recv fails with ENOBUFS: that is a harness error, never
// a short list of hooks.
import { NetlinkSocket } from "../../../sys/netlink-socket.js";
import { NETLINK_NETFILTER } from "../../../wire/netlink/nfnetlink.js";
import { SysError, waitReadable } from "../../../sys/libc.js";
import { BatchReceiver } from "../../../sys/recvmmsg.js";
import { decodeMessages } from "../../../wire/netlink/message.js";
import { NFNLGRP_NFTRACE } from "../../../wire/netlink/nfnetlink.js";
import { decodeTraceBrief, isTraceMessage, type TraceBrief } from "../../../wire/netlink/nftrace.js";

/** Room for the events of a traversal through 1024 chains (about 1.5 KiB of skb each, one a chain of the list, two a chain of another). */
const TRACE_RCVBUF = 32 << 20;

/** Events a receive takes at once: a traversal of a few chains sends about ten. */
const BATCH = 64;
/** An event is a few hundred bytes (headers cut to NFT_TRACETYPE_*_HSIZE); a netlink skb is at most this. */
const EVENT_MAX = 8192;

export class TraceListener {
  private readonly socket = NetlinkSocket.open(NETLINK_NETFILTER, { groups: [NFNLGRP_NFTRACE], rcvbuf: TRACE_RCVBUF });
  // recvmmsg: one call for all of a traversal's events, not a recvfrom() each (bench/issue14-bench.md, 13:00).
  private readonly receiver = new BatchReceiver(BATCH, EVENT_MAX);

  get fd(): number {
    return this.socket.fd;
  }

  /** Every event queued now, in the order the kernel sent them. */
  take(): TraceBrief[] {
    const events: TraceBrief[] = [];
    for (;;) {
      let datagrams: Uint8Array[];
      try {
        // decodeTraceBrief copies what it keeps: the buffers are reused by the next receive.
        datagrams = this.receiver.receive(this.socket.fd);
      } catch (error) {
        if (error instanceof SysError && error.code === "ENOBUFS")
          throw new Error("nftrace events were lost (the trace socket's receive buffer overflowed)");
        throw error;
      }
      for (const datagram of datagrams)
        for (const m of decodeMessages(datagram)) if (isTraceMessage(m)) events.push(decodeTraceBrief(m));
      // Only an empty receive ends the take: a short batch may have stopped at an error (a lost event's ENOBUFS),
      // which recvmmsg() reports on the next call, and that must fail this take, not a later probe's.
      if (datagrams.length === 0) return events;
    }
  }

  /** Waits up to timeoutMs for more events; true when some are queued. */
  wait(timeoutMs: number): boolean {
    return waitReadable(this.socket.fd, timeoutMs);
  }

  close(): void {
    try {
      this.socket.close();
    } finally {
      this.receiver.close();
    }
  }
}
