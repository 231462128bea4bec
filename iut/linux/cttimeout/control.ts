// Our own requests to a namespace's cttimeout (reset, probes, waits for a
// release), on a socket of their own, read strictly; and how to wait for
// nf_tables to drop the references of the rules it deleted.
import { NetlinkSocket } from "../../../sys/netlink-socket.js";
import { sleepSync } from "../../../sys/sleep.js";
import {
  IPCTNL_MSG_TIMEOUT_GET,
  IPCTNL_MSG_TIMEOUT_NEW,
  cttimeoutType,
  decodePolicyMessage,
  encodeCttimeoutRequest,
  nameAttribute,
} from "../../../wire/netlink/cttimeout.js";
import { concatBytes } from "../../../wire/netlink/bytes.js";
import {
  decodeErrorMessage,
  decodeMessages,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
} from "../../../wire/netlink/message.js";
import { NETLINK_NETFILTER } from "../../../wire/netlink/nfnetlink.js";
import { NetlinkExchange } from "./netlink-exchange.js";

const CONTROL_SEQ = 0x60000000;

export class Control {
  private readonly link = new NetlinkExchange();
  private seq = CONTROL_SEQ;

  request(msg: number, flags: number, attributes: Uint8Array[]) {
    return this.link
      .exchange(encodeCttimeoutRequest({ msg, flags: NLM_F_REQUEST | flags, seq: this.seq++, attributes }))
      .flatMap((r) => decodeMessages(r));
  }

  /**
   * Several requests in one datagram, one round trip: the kernel handles a
   * datagram's messages in order (netlink_rcv_skb()), each reply carrying its
   * request's sequence number. Each request's replies, in the requests' order.
   */
  requestEach(requests: readonly { msg: number; flags: number; attributes: Uint8Array[] }[]) {
    if (requests.length === 0) return [];
    const first = this.seq;
    this.seq += requests.length;
    const datagram = concatBytes(
      requests.map((r, i) =>
        encodeCttimeoutRequest({
          msg: r.msg,
          flags: NLM_F_REQUEST | r.flags,
          seq: first + i,
          attributes: r.attributes,
        }),
      ),
    );
    const replies = this.link.exchange(datagram).flatMap((r) => decodeMessages(r));
    return requests.map((_, i) => replies.filter((m) => m.seq === first + i));
  }

  errno(msg: number, attributes: Uint8Array[]): number {
    const err = this.request(msg, NLM_F_ACK, attributes).find((m) => m.type === NLMSG_ERROR);
    return err ? decodeErrorMessage(err).errno : -1;
  }

  dump() {
    return this.request(IPCTNL_MSG_TIMEOUT_GET, NLM_F_DUMP, [])
      .filter((m) => m.type !== NLMSG_DONE)
      .map(decodePolicyMessage);
  }

  use(name: Uint8Array): number | undefined {
    const m = this.request(IPCTNL_MSG_TIMEOUT_GET, 0, [nameAttribute(name)]).find(
      (x) => x.type === cttimeoutType(IPCTNL_MSG_TIMEOUT_NEW),
    );
    return m ? decodePolicyMessage(m).use : undefined;
  }

  close(): void {
    this.link.close();
  }
}

/**
 * Blocks until nf_tables has run the destruction of what its committed
 * transactions removed. It destroys a deleted rule's expressions (a CT
 * target, and with it the target's policy reference) from a work item after
 * an RCU grace period, off the commit path; closing a bound NETLINK_NETFILTER
 * socket runs nf_tables' NETLINK_URELEASE notifier, which first flushes that
 * work (nft_rcv_nl_event(): measured on 6.18, every release done when close()
 * returned, 20 of 20). A kernel that does not flush there returns at once:
 * callers still check the release (waitFor), as they did by polling alone.
 */
export function awaitNfTablesDestroy(): void {
  NetlinkSocket.open(NETLINK_NETFILTER).close();
}

/**
 * Waits until `done()` holds, polling: after awaitNfTablesDestroy() it holds at the first look on kernels whose
 * socket release flushes the destroy work. An emulated VM (`--iut linux@<version>` under TCG) took over 3 s, so
 * the cap is generous.
 */
export function waitFor(what: string, done: () => boolean, timeoutMs = 30_000): void {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`cttimeout: ${what} did not happen within ${timeoutMs} ms`);
    sleepSync(1);
  }
}
