// One NETLINK_NETFILTER socket for nf_tables transactions inside our
// namespace: send a batch, collect the errno of each entry.
// nfnetlink_rcv_batch() processes every entry of a batch, keeps an ack for
// each entry that asks for one and an error for each that fails, then commits
// only when none failed, and delivers the acks and errors in entry order
// after the commit or abort (nfnl_err_deliver()).
import { NetlinkSocket } from "../../sys/netlink-socket.js";
import { NLM_F_ACK } from "../../wire/netlink/message.js";
import { NETLINK_NETFILTER } from "../../wire/netlink/nfnetlink.js";
import { decodeBatchReplies, encodeBatch, type BatchEntry } from "../../wire/netlink/nfnetlink.js";

export interface BatchOutcome {
  /** errno per entry, in order; 0 for success. */
  errnos: number[];
  committed: boolean;
}

export interface ApplyOptions {
  timeoutMs?: number;
  /**
   * `each` (default): every entry asks for an ack. `last`: only the last one
   * does; the others answer only when they fail (an error is sent whatever
   * the flags), which keeps a batch of thousands of entries to a few replies.
   */
  acks?: "each" | "last";
}

export class NftSession {
  private readonly socket = NetlinkSocket.open(NETLINK_NETFILTER, { capAck: true, rcvbuf: 1 << 20 });
  private seq = 1;

  apply(entries: readonly BatchEntry[], options: ApplyOptions = {}): BatchOutcome {
    const { timeoutMs = 5000, acks = "each" } = options;
    const last = entries.length - 1;
    const asked = entries.map((e, i) =>
      acks === "each" || i === last ? { ...e, flags: (e.flags ?? 0) | NLM_F_ACK } : e,
    );
    const batch = encodeBatch(asked, { firstSeq: this.seq });
    this.seq = batch.endSeq + 1;
    this.socket.send(batch.bytes);
    const replies = new Map<number, number>();
    // Replies come in entry order, so once the last acked entry has answered, every error is in.
    const awaited = acks === "each" ? batch.seqs : batch.seqs.slice(-1);
    let missing = awaited.length;
    const deadline = Date.now() + timeoutMs;
    while (missing > 0) {
      const datagram = this.socket.recv(Math.max(0, deadline - Date.now()));
      if (!datagram) {
        throw new Error(
          `nf_tables batch: no acknowledgement for ${missing} of ${awaited.length} messages within ${timeoutMs} ms`,
        );
      }
      for (const { seq, errno } of decodeBatchReplies([datagram])) {
        // A failed commit is answered on BATCH_BEGIN (nfnetlink_rcv_batch()).
        if (seq === batch.beginSeq && errno !== 0)
          throw new Error(`nf_tables batch: the transaction failed with errno ${errno}`);
        if (replies.has(seq) || !batch.seqs.includes(seq)) continue;
        replies.set(seq, errno);
        if (awaited.includes(seq)) missing--;
      }
    }
    const errnos = batch.seqs.map((s) => replies.get(s) ?? 0);
    return { errnos, committed: errnos.every((e) => e === 0) };
  }

  close(): void {
    this.socket.close();
  }
}
