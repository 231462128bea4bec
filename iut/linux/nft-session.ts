// One NETLINK_NETFILTER socket for nf_tables transactions inside our
// namespace: send a batch with an ACK asked for on every entry, collect the
// errno of each. nfnetlink_rcv_batch() processes every entry of a batch and
// acks each, errors included, then commits only when none failed.
import { NetlinkSocket } from "../../sys/netlink-socket.js";
import { NETLINK_NETFILTER } from "../../wire/netlink/nfnetlink.js";
import { decodeBatchReplies, encodeBatch, type BatchEntry } from "../../wire/netlink/nfnetlink.js";

export interface BatchOutcome {
  /** errno per entry, in order; 0 for success. */
  errnos: number[];
  committed: boolean;
}

export class NftSession {
  private readonly socket = NetlinkSocket.open(NETLINK_NETFILTER, { capAck: true, rcvbuf: 1 << 20 });
  private seq = 1;

  apply(entries: readonly BatchEntry[], timeoutMs = 5000): BatchOutcome {
    const batch = encodeBatch(entries, { firstSeq: this.seq, ack: true });
    this.seq = batch.endSeq + 1;
    this.socket.send(batch.bytes);
    const pending = new Map(batch.seqs.map((s) => [s, -1]));
    let missing = pending.size;
    const deadline = Date.now() + timeoutMs;
    while (missing > 0) {
      const datagram = this.socket.recv(Math.max(0, deadline - Date.now()));
      if (!datagram) {
        throw new Error(
          `nf_tables batch: no acknowledgement for ${missing} of ${entries.length} messages within ${timeoutMs} ms`,
        );
      }
      for (const { seq, errno } of decodeBatchReplies([datagram])) {
        if (pending.get(seq) === -1) {
          pending.set(seq, errno);
          missing--;
        }
      }
    }
    const errnos = batch.seqs.map((s) => pending.get(s)!);
    return { errnos, committed: errnos.every((e) => e === 0) };
  }

  close(): void {
    this.socket.close();
  }
}
