// One datagram sent to the kernel on a NETLINK_NETFILTER socket, as
// net/netfilter/nfnetlink.c nfnetlink_rcv() and net/netlink/af_netlink.c
// netlink_rcv_skb() / netlink_ack() handle it, for the cttimeout subsystem:
// the replies a socket with NETLINK_CAP_ACK and without NETLINK_EXT_ACK reads.
import {
  encodeErrorMessage,
  NLM_F_ACK,
  NLM_F_REQUEST,
  NLMSG_HDRLEN,
  NLMSG_MIN_TYPE,
} from "../../wire/netlink/message.js";
import { IPCTNL_MSG_TIMEOUT_MAX } from "../../wire/netlink/cttimeout.js";
import { NFNL_MSG_BATCH_BEGIN, NFNL_SUBSYS_CTNETLINK_TIMEOUT } from "../../wire/netlink/nfnetlink.js";
import { parseTop } from "./attribute-policy.js";
import { EINTR, EINVAL } from "../../sys/errno.js";
import { HANDLERS } from "./messages.js";
import type { CttimeoutNamespace } from "./namespace.js";
import type { CttimeoutRules } from "./rules.js";
import type { RuleTrace } from "../rules.js";
import { CTTIMEOUT_RULES as R } from "./rule-catalogue.js";

/** A datagram the model cannot answer (another subsystem, a batch): the IUT declines such cases. */
export class UnmodelledMessage extends Error {}

export interface ReceiveResult {
  ns: CttimeoutNamespace;
  replies: Uint8Array[];
}

/** nfgenmsg's aligned size after the header: nlmsg_total_size(sizeof(struct nfgenmsg)). */
const ATTRS_AT = 20;

/** nfnetlink_rcv_msg(): the errno for one request message (0: ack only if asked; EINTR: no ack). */
function rcvMsg(
  ns: CttimeoutNamespace,
  msg: Uint8Array,
  header: { type: number; flags: number; seq: number },
  portid: number,
  rules: CttimeoutRules,
  trace?: RuleTrace,
) {
  // "All the messages must at least contain nfgenmsg"
  if (msg.length - NLMSG_HDRLEN < 4) {
    trace?.hit(R["no-nfgenmsg"]);
    return { ns, errno: 0, data: [] as Uint8Array[] };
  }
  if (header.type >> 8 !== NFNL_SUBSYS_CTNETLINK_TIMEOUT) {
    throw new UnmodelledMessage(`message type 0x${header.type.toString(16)} is not of the cttimeout subsystem (8)`);
  }
  const cbId = header.type & 0xff;
  // nfnetlink_find_client(): cb_id >= cb_count
  if (cbId >= IPCTNL_MSG_TIMEOUT_MAX) {
    trace?.hit(R["unknown-command"], `command ${cbId}`);
    return { ns, errno: EINVAL, data: [] as Uint8Array[] };
  }
  const parsed = parseTop(msg.subarray(Math.min(ATTRS_AT, msg.length)), rules.nameMax);
  if ("errno" in parsed) {
    trace?.hit(R["attribute-policy"], `errno ${parsed.errno}`);
    return { ns, errno: parsed.errno, data: [] as Uint8Array[] };
  }
  return HANDLERS[cbId]!(ns, parsed.tb, {
    flags: header.flags,
    seq: header.seq,
    portid,
    rules,
    ...(trace ? { trace } : {}),
  });
}

export function receive(
  ns: CttimeoutNamespace,
  datagram: Uint8Array,
  rules: CttimeoutRules,
  portid = 0,
  trace?: RuleTrace,
): ReceiveResult {
  const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  const replies: Uint8Array[] = [];
  // nfnetlink_rcv(): anything short or inconsistent is dropped silently.
  if (
    datagram.length < NLMSG_HDRLEN ||
    view.getUint32(0, true) < NLMSG_HDRLEN ||
    datagram.length < view.getUint32(0, true)
  ) {
    trace?.hit(R["datagram-dropped"], `${datagram.length} bytes`);
    return { ns, replies };
  }
  if (view.getUint16(4, true) === NFNL_MSG_BATCH_BEGIN)
    throw new UnmodelledMessage("a batch (NFNL_MSG_BATCH_BEGIN) is not a cttimeout request");
  // netlink_rcv_skb()
  let at = 0;
  while (datagram.length - at >= NLMSG_HDRLEN) {
    const length = view.getUint32(at, true);
    if (length < NLMSG_HDRLEN || datagram.length - at < length) break;
    const header = {
      type: view.getUint16(at + 4, true),
      flags: view.getUint16(at + 6, true),
      seq: view.getUint32(at + 8, true),
    };
    const msg = datagram.subarray(at, at + length);
    let errno = 0;
    // Only requests are handled, and no control messages.
    if (header.flags & NLM_F_REQUEST && header.type >= NLMSG_MIN_TYPE) {
      const r = rcvMsg(ns, msg, header, portid, rules, trace);
      ns = r.ns;
      errno = r.errno;
      replies.push(...r.data);
    } else trace?.hit(R["not-a-request"], `type 0x${header.type.toString(16)}, flags 0x${header.flags.toString(16)}`);
    if (errno !== EINTR && (header.flags & NLM_F_ACK || errno !== 0)) {
      trace?.hit(R[errno === 0 ? "ack-requested" : "error-acked"], `errno ${errno}`);
      replies.push(
        encodeErrorMessage(
          {
            type: header.type,
            flags: header.flags,
            seq: header.seq,
            pid: view.getUint32(at + 12, true),
            payload: msg.subarray(NLMSG_HDRLEN),
          },
          errno,
          { capAck: true, pid: portid },
        ),
      );
    }
    at += Math.min((length + 3) & ~3, datagram.length - at);
  }
  return { ns, replies };
}
