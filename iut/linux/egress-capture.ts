// Capture of the packets leaving veth0, after mangle POSTROUTING: the AF_PACKET
// tap (dev_queue_xmit_nit) sees what the device is handed.
import { transportLayout, type TransportLayout } from "../../model/checksum/packet-checksum.js";
import { PacketSocket } from "../../sys/packet-socket.js";
import { PACKET_OUTGOING } from "../../wire/protocol-numbers.js";

const ETHERNET_HEADER = 14;

export class EgressCapture {
  private readonly socket = PacketSocket.open("veth0");

  /** Forgets frames already queued (ND, MLD and the like), so the next match is fresh. */
  drain(): void {
    this.socket.drain();
  }

  /**
   * The transport segment of the next frame leaving veth0 that carries this
   * packet (same version, addresses, protocol, ports and segment length), or
   * null when none does within timeoutMs.
   */
  segmentOf(layout: TransportLayout, packet: Uint8Array, timeoutMs: number): Uint8Array | null {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.socket.recv(Math.max(0, deadline - Date.now()));
      if (!frame) return null;
      if (frame.pktType !== PACKET_OUTGOING) continue;
      const segment = matchingSegment(frame.data.subarray(ETHERNET_HEADER), packet, layout);
      if (segment) return segment;
    }
  }

  close(): void {
    this.socket.close();
  }
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function matchingSegment(captured: Uint8Array, packet: Uint8Array, layout: TransportLayout): Uint8Array | null {
  let theirs: TransportLayout;
  try {
    theirs = transportLayout(captured);
  } catch {
    return null; // not a TCP/UDP packet: other traffic of the test links
  }
  const ours = layout.ip;
  if (theirs.ip.version !== ours.version || theirs.ip.protocol !== ours.protocol) return null;
  if (!same(theirs.ip.src, ours.src) || !same(theirs.ip.dst, ours.dst)) return null;
  const segment = captured.subarray(theirs.ip.transportOffset);
  const sent = packet.subarray(ours.transportOffset);
  if (segment.length !== sent.length || !same(segment.subarray(0, 4), sent.subarray(0, 4))) return null;
  return segment.slice();
}
