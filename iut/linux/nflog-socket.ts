// An nflog socket for an area that reads packets after a rule (hooks'
// fragments, checksum's receive path): bound to one group, whole packets (or
// copyRange bytes of each), a queue threshold of 1 so that each packet comes
// at once, in the calling thread's namespace.
import { NetlinkSocket } from "../../sys/netlink-socket.js";
import { decodeErrorMessage, decodeMessages, NLMSG_ERROR } from "../../wire/netlink/message.js";
import { nflogBindMessages, nflogConfigMessage } from "../../wire/netlink/nflog.js";
import { NETLINK_NETFILTER } from "../../wire/netlink/nfnetlink.js";

export function openNflogSocket(group: number, options: { rcvbuf: number; copyRange?: number }): NetlinkSocket {
  const socket = NetlinkSocket.open(NETLINK_NETFILTER, { rcvbuf: options.rcvbuf });
  try {
    const requests = [
      ...nflogBindMessages(group, 1, options.copyRange),
      nflogConfigMessage({ group, seq: 3, qthresh: 1 }),
    ];
    for (const request of requests) {
      socket.send(request);
      const reply = socket.recv(1000);
      const ack = reply && decodeMessages(reply).find((m) => m.type === NLMSG_ERROR);
      if (!ack) throw new Error("nflog: no acknowledgement of a config request");
      const { error } = decodeErrorMessage(ack);
      if (error !== 0) throw new Error(`nflog: config request refused (errno ${-error})`);
    }
    return socket;
  } catch (e) {
    socket.close();
    throw e;
  }
}
