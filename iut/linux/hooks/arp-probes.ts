// ARP probes: an ARP request injected on veth1 to veth0's MAC, asking for
// veth0's address, so that arp_rcv() runs the arp input list (NF_ARP_IN) before
// arp_process(), whose reply runs the arp output list (NF_ARP_OUT, arp_xmit())
// and leaves veth0. The reply leaving veth0 (PACKET_OUTGOING) is the end point
// of both lists: arp_process() answered, and arp_xmit() sent the answer.
//   arp input    the request's sender MAC is ARP_IN_PREFIX + nonce
//   arp output   the request's sender MAC is ARP_OUT_PREFIX + nonce, which the
//                reply carries as its target MAC
// The sender IP is fixed, so arp_process() keeps updating one neighbour entry
// (neigh_event_ns()) rather than filling the table with one per probe.
import { parseIPv4 } from "../../../sys/inet-addr.js";
import { PacketSocket } from "../../../sys/packet-socket.js";
import { VETH0_MAC, macBytes } from "../../../sys/veth.js";
import { ETH_P_ARP, ETH_P_IP, PACKET_OUTGOING } from "../../../wire/protocol-numbers.js";
import { LOCAL_V4 } from "../address-policy.js";
import {
  ARP_IN_PREFIX,
  ARP_OP_OFFSET,
  ARP_OUT_PREFIX,
  ARP_SHA_OFFSET,
  ARP_THA_OFFSET,
  ARPOP_REPLY,
  ARPOP_REQUEST,
  type Aim,
} from "./chain-rules.js";
import { arpNonceBytes, type ProbeSet, type SendOutcome } from "./traversal.js";

export type ArpPath = { kind: "arp"; list: "input" | "output" };

/** The sender IP of every ARP probe: no address of the namespace, on no route's way. */
const ARP_SENDER_IP = parseIPv4("198.51.100.7");
const ETH_HLEN = 14;
const ARPHRD_ETHER = 1;

export function arpPath(hook: string): ArpPath | null {
  return hook === "input" || hook === "output" ? { kind: "arp", list: hook } : null;
}

/** An Ethernet frame holding an ARP request for veth0's address from `sha`. */
export function arpRequestFrame(sha: Uint8Array): Uint8Array {
  const frame = new Uint8Array(ETH_HLEN + 28);
  const view = new DataView(frame.buffer);
  frame.set(macBytes(VETH0_MAC), 0);
  frame.set(sha, 6);
  view.setUint16(12, ETH_P_ARP);
  const arp = ETH_HLEN;
  view.setUint16(arp, ARPHRD_ETHER);
  view.setUint16(arp + 2, ETH_P_IP);
  frame[arp + 4] = 6;
  frame[arp + 5] = 4;
  view.setUint16(arp + ARP_OP_OFFSET, ARPOP_REQUEST);
  frame.set(sha, arp + ARP_SHA_OFFSET);
  frame.set(ARP_SENDER_IP, arp + ARP_SHA_OFFSET + 6);
  // Target MAC stays zero (unknown, as in any request).
  frame.set(LOCAL_V4, arp + ARP_THA_OFFSET + 6);
  return frame;
}

export class ArpProbes implements ProbeSet<ArpPath> {
  private readonly injector = PacketSocket.open("veth1");
  /** ETH_P_ALL: a socket bound to one ethertype sees only incoming frames (dev_queue_xmit_nit() feeds ptype_all). */
  private readonly replies = PacketSocket.open("veth0");

  runsInSend(): boolean {
    return false;
  }

  /** The probe's sender MAC: the list's prefix, then the nonce. */
  private sha(path: ArpPath, nonce: number): Uint8Array {
    return Uint8Array.of(...(path.list === "input" ? ARP_IN_PREFIX : ARP_OUT_PREFIX), ...arpNonceBytes(nonce));
  }

  send(path: ArpPath, _aim: Aim, nonce: number): SendOutcome {
    this.replies.drain();
    this.injector.send(arpRequestFrame(this.sha(path, nonce)));
    return { sent: true };
  }

  endPointFd(): number {
    return this.replies.fd;
  }

  arrived(path: ArpPath, _aim: Aim, nonce: number): boolean {
    const sha = this.sha(path, nonce);
    for (;;) {
      const frame = this.replies.recv(0);
      if (!frame) return false;
      const d = frame.data;
      if (frame.pktType !== PACKET_OUTGOING || frame.protocol !== ETH_P_ARP || d.length < ETH_HLEN + 28) continue;
      const op = (d[ETH_HLEN + ARP_OP_OFFSET]! << 8) | d[ETH_HLEN + ARP_OP_OFFSET + 1]!;
      const tha = d.subarray(ETH_HLEN + ARP_THA_OFFSET, ETH_HLEN + ARP_THA_OFFSET + 6);
      if (op === ARPOP_REPLY && tha.every((b, i) => b === sha[i])) return true;
    }
  }

  close(): void {
    this.injector.close();
    this.replies.close();
  }
}
