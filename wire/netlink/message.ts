// struct nlmsghdr and NLMSG_ERROR (include/uapi/linux/netlink.h). The header is
// in host byte order; this codec targets little-endian hosts (x86_64, arm64).
//   struct nlmsghdr { __u32 nlmsg_len; __u16 nlmsg_type; __u16 nlmsg_flags;
//                     __u32 nlmsg_seq; __u32 nlmsg_pid; };        16 bytes
//   struct nlmsgerr { int error; struct nlmsghdr msg; };  then the request's
//   payload unless NLM_F_CAPPED, then extended-ack TLVs if NLM_F_ACK_TLVS.

import { decodeAttributes, readString } from "./attributes.js";
import { viewOf } from "./bytes.js";
import { NetlinkDecodeError } from "./errors.js";

export { NetlinkDecodeError } from "./errors.js";

export const NLMSG_ALIGNTO = 4;
export const NLMSG_HDRLEN = 16;

export const NLMSG_NOOP = 0x1;
export const NLMSG_ERROR = 0x2;
export const NLMSG_DONE = 0x3;
export const NLMSG_OVERRUN = 0x4;
/** Types below this are reserved for control messages (NLMSG_MIN_TYPE). */
export const NLMSG_MIN_TYPE = 0x10;

export const NLM_F_REQUEST = 0x01;
export const NLM_F_MULTI = 0x02;
export const NLM_F_ACK = 0x04;
export const NLM_F_ECHO = 0x08;
export const NLM_F_DUMP_INTR = 0x10;
export const NLM_F_DUMP_FILTERED = 0x20;
// Modifiers to GET requests
export const NLM_F_ROOT = 0x100;
export const NLM_F_MATCH = 0x200;
export const NLM_F_ATOMIC = 0x400;
export const NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
// Modifiers to NEW requests
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
export const NLM_F_APPEND = 0x800;
// Modifiers to DELETE requests
export const NLM_F_NONREC = 0x100;
export const NLM_F_BULK = 0x200;
// Flags of NLMSG_ERROR messages
export const NLM_F_CAPPED = 0x100;
export const NLM_F_ACK_TLVS = 0x200;

export function nlmsgAlign(length: number): number {
  return (length + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1);
}

export interface NetlinkHeader {
  /** nlmsg_len as found on the wire (header plus payload, without trailing padding). */
  length: number;
  type: number;
  flags: number;
  seq: number;
  pid: number;
}

export interface NetlinkMessage {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  payload: Uint8Array;
  /** Byte offset of the header in the decoded buffer (0 for messages built here). */
  offset?: number;
}

function writeHeader(view: DataView, at: number, h: NetlinkHeader): void {
  view.setUint32(at, h.length, true);
  view.setUint16(at + 4, h.type, true);
  view.setUint16(at + 6, h.flags, true);
  view.setUint32(at + 8, h.seq >>> 0, true);
  view.setUint32(at + 12, h.pid >>> 0, true);
}

/** Encodes one message; the result is padded to a multiple of 4 bytes. */
export function encodeMessage(msg: Omit<NetlinkMessage, "offset">): Uint8Array {
  const length = NLMSG_HDRLEN + msg.payload.length;
  const out = new Uint8Array(nlmsgAlign(length));
  writeHeader(viewOf(out), 0, { length, type: msg.type, flags: msg.flags, seq: msg.seq, pid: msg.pid });
  out.set(msg.payload, NLMSG_HDRLEN);
  return out;
}

/** Encodes several messages back to back, as one datagram. */
export function encodeMessages(msgs: readonly Omit<NetlinkMessage, "offset">[]): Uint8Array {
  const parts = msgs.map(encodeMessage);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Reads one nlmsghdr at `at`; checks only that 16 bytes are there. */
export function decodeHeader(buf: Uint8Array, at: number, baseOffset = 0): NetlinkHeader {
  if (buf.length - at < NLMSG_HDRLEN) {
    throw new NetlinkDecodeError(
      "nlmsghdr",
      baseOffset + at,
      `only ${buf.length - at} bytes left, a header needs ${NLMSG_HDRLEN}`,
    );
  }
  // Little-endian reads by hand: a DataView per message costs more than the rest of the header.
  const u16 = (i: number) => buf[i]! | (buf[i + 1]! << 8);
  const u32 = (i: number) => (u16(i) | (u16(i + 2) << 16)) >>> 0;
  return { length: u32(at), type: u16(at + 4), flags: u16(at + 6), seq: u32(at + 8), pid: u32(at + 12) };
}

/**
 * Decodes a buffer holding one or more messages (one recv'd datagram).
 * The padding after the last message may be absent. `baseOffset` is added to
 * offsets in errors and results when `buf` is a slice of a larger buffer.
 */
export function decodeMessages(buf: Uint8Array, baseOffset = 0): NetlinkMessage[] {
  const out: NetlinkMessage[] = [];
  let at = 0;
  while (at < buf.length) {
    const where = baseOffset + at;
    const remaining = buf.length - at;
    if (remaining < NLMSG_HDRLEN) {
      throw new NetlinkDecodeError(
        "nlmsghdr",
        where,
        `${remaining} trailing bytes are too short for a ${NLMSG_HDRLEN}-byte header`,
      );
    }
    const h = decodeHeader(buf, at, baseOffset);
    if (h.length < NLMSG_HDRLEN) {
      throw new NetlinkDecodeError(
        "nlmsghdr",
        where,
        `nlmsg_len ${h.length} is less than the ${NLMSG_HDRLEN}-byte header`,
      );
    }
    if (h.length > remaining) {
      throw new NetlinkDecodeError(
        "nlmsghdr",
        where,
        `nlmsg_len ${h.length} overruns the buffer (${remaining} bytes left)`,
      );
    }
    out.push({
      type: h.type,
      flags: h.flags,
      seq: h.seq,
      pid: h.pid,
      payload: buf.subarray(at + NLMSG_HDRLEN, at + h.length),
      offset: where,
    });
    at += Math.min(nlmsgAlign(h.length), remaining);
  }
  return out;
}

/** Decodes a buffer that must hold exactly one message. */
export function decodeSingleMessage(buf: Uint8Array, baseOffset = 0): NetlinkMessage {
  const msgs = decodeMessages(buf, baseOffset);
  if (msgs.length !== 1) {
    throw new NetlinkDecodeError("netlink buffer", baseOffset, `expected exactly one message, found ${msgs.length}`);
  }
  return msgs[0]!;
}

export interface NetlinkErrorPayload {
  /** The kernel's `int error`: 0 for an ACK, else a negative errno. */
  error: number;
  /** Positive errno (0 for an ACK). */
  errno: number;
  /** Header of the request this answers. */
  request: NetlinkHeader;
  /** The request's payload when the error was not capped; empty when capped. */
  requestPayload: Uint8Array;
  capped: boolean;
  /** Extended-ack TLVs (NLMSGERR_ATTR_*), present only with NLM_F_ACK_TLVS. */
  extAck: Uint8Array;
}

/** Parses the payload of an NLMSG_ERROR message (an ACK when error is 0). */
export function decodeErrorMessage(msg: NetlinkMessage): NetlinkErrorPayload {
  const base = (msg.offset ?? 0) + NLMSG_HDRLEN;
  if (msg.type !== NLMSG_ERROR) {
    throw new NetlinkDecodeError("nlmsgerr", base, `message type ${msg.type} is not NLMSG_ERROR (${NLMSG_ERROR})`);
  }
  const p = msg.payload;
  if (p.length < 4 + NLMSG_HDRLEN) {
    throw new NetlinkDecodeError(
      "nlmsgerr",
      base,
      `payload of ${p.length} bytes is shorter than error (4) plus the request header (${NLMSG_HDRLEN})`,
    );
  }
  const error = viewOf(p).getInt32(0, true);
  const request = decodeHeader(p, 4, base);
  const capped = (msg.flags & NLM_F_CAPPED) !== 0;
  let end = 4 + NLMSG_HDRLEN;
  if (!capped) {
    if (request.length < NLMSG_HDRLEN) {
      throw new NetlinkDecodeError(
        "nlmsgerr request header",
        base + 4,
        `nlmsg_len ${request.length} is less than the ${NLMSG_HDRLEN}-byte header`,
      );
    }
    if (4 + request.length > p.length) {
      throw new NetlinkDecodeError(
        "nlmsgerr request",
        base + 4,
        `uncapped error should carry the whole ${request.length}-byte request but only ${p.length - 4} bytes follow`,
      );
    }
    end = 4 + request.length;
  }
  const requestPayload = capped ? new Uint8Array(0) : p.subarray(4 + NLMSG_HDRLEN, end);
  const tlvStart = Math.min(nlmsgAlign(end), p.length);
  const hasTlvs = (msg.flags & NLM_F_ACK_TLVS) !== 0;
  if (!hasTlvs && tlvStart < p.length) {
    throw new NetlinkDecodeError(
      "nlmsgerr",
      base + tlvStart,
      `${p.length - tlvStart} bytes follow the request but NLM_F_ACK_TLVS is not set`,
    );
  }
  return {
    error,
    errno: error === 0 ? 0 : -error,
    request,
    requestPayload,
    capped,
    extAck: hasTlvs ? p.subarray(tlvStart) : new Uint8Array(0),
  };
}

/** enum nlmsgerr_attrs (include/uapi/linux/netlink.h): the error message string. */
export const NLMSGERR_ATTR_MSG = 1;

/** The kernel's extended-ack message (NLMSGERR_ATTR_MSG, e.g. "Unknown device type"), if the error carries one. */
export function extAckMessage(e: NetlinkErrorPayload): string | undefined {
  const attr = decodeAttributes(e.extAck).find((a) => a.type === NLMSGERR_ATTR_MSG);
  return attr ? readString(attr, "NLMSGERR_ATTR_MSG") : undefined;
}

/**
 * Builds the NLMSG_ERROR (or ACK, errno 0) a kernel sends for `request`, as a
 * socket sees it with NETLINK_CAP_ACK `capAck` and no extended ack: a success
 * ACK is always capped; an error carries the whole request unless capAck.
 */
export function encodeErrorMessage(
  request: Omit<NetlinkMessage, "offset">,
  errno: number,
  options: { capAck: boolean; pid?: number },
): Uint8Array {
  const capped = errno === 0 || options.capAck;
  const reqLength = NLMSG_HDRLEN + request.payload.length;
  const body = new Uint8Array(4 + NLMSG_HDRLEN + (capped ? 0 : request.payload.length));
  const view = viewOf(body);
  view.setInt32(0, -errno, true);
  writeHeader(view, 4, {
    length: reqLength,
    type: request.type,
    flags: request.flags,
    seq: request.seq,
    pid: request.pid,
  });
  if (!capped) body.set(request.payload, 4 + NLMSG_HDRLEN);
  return encodeMessage({
    type: NLMSG_ERROR,
    flags: capped ? NLM_F_CAPPED : 0,
    seq: request.seq,
    pid: options.pid ?? 0,
    payload: body,
  });
}
