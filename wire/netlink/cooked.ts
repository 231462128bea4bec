// Records of a LINKTYPE_NETLINK (253) capture start with the 16-byte cooked
// header nlmon writes (like Linux SLL): packet type, ARPHRD_NETLINK (824), an
// empty link-layer address, and the netlink protocol; then the messages.
// Wireshark's "Linux netlink (cooked header)" dissector reads it and hands
// NETLINK_NETFILTER messages on to its nfnetlink dissector.
import { PACKET_HOST, PACKET_OUTGOING } from "../protocol-numbers.js";

export const ARPHRD_NETLINK = 824;

export function cookedNetlinkRecord(messages: Uint8Array, protocol: number, outgoing: boolean): Uint8Array {
  const out = new Uint8Array(16 + messages.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, outgoing ? PACKET_OUTGOING : PACKET_HOST, false);
  view.setUint16(2, ARPHRD_NETLINK, false);
  view.setUint16(14, protocol, false);
  out.set(messages, 16);
  return out;
}
