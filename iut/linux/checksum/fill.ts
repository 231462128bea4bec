// checksum.fill on the kernel. The request's packet is made to reach mangle
// POSTROUTING in the requested state, where a compat `CHECKSUM --checksum-fill`
// rule acts on it, and is captured leaving veth0:
//   partial, UDP, no options   a UDP socket over veth's tx checksum offload
//   none                       a raw socket (header included)
//   partial (TCP, options,     forwarded: injected on veth1 with a
//   extension headers), GSO,   virtio_net_hdr asking for that state
//   unnecessary
// `complete` cannot arise on egress and is declined, as are addresses the
// kernel would not send unchanged on the packet's path (address-policy.ts).
//
// The reply is the request's IP header followed by the transport segment as
// captured: the target writes only inside the segment, while the kernel
// chooses header fields of its own (IPv4 ID and header checksum, a forwarded
// packet's TTL).
import type { ChecksumState } from "../../../model/checksum/checksum-target.js";
import { transportLayout, type TransportLayout } from "../../../model/checksum/packet-checksum.js";
import { addressProblem, type SendPath } from "../address-policy.js";
import { EgressCapture } from "../egress-capture.js";
import type { NftSession } from "../nft-session.js";
import { decline } from "./decline.js";
import { installFillRules } from "./fill-rules.js";
import { ForwardInjector, forwardProblem } from "./forward-injector.js";
import { RawSender } from "./raw-sender.js";
import { toHex } from "../../../wire/hex.js";
import { sendFromUdpSocket, udpSocketProblem } from "./udp-socket-sender.js";

const CAPTURE_TIMEOUT_MS = 1000;

export type FillPath = "udp-socket" | "raw-socket" | "forwarded";

/** The addresses each path sends unchanged (address-policy.ts). */
const ADDRESSES_OF: Record<FillPath, SendPath> = { "udp-socket": "udp", "raw-socket": "raw", forwarded: "any" };

export class LinuxChecksumFill {
  private readonly capture = new EgressCapture();
  private readonly raw = new RawSender();
  private readonly forward = new ForwardInjector();

  constructor(session: NftSession) {
    installFillRules(session);
  }

  /** `mark` (SKIP_MARK) lets a test send past the rule, on the UDP socket path. */
  fill(packet: Uint8Array, state: ChecksumState, gso: boolean, options: { mark?: number } = {}): Uint8Array {
    let layout: TransportLayout;
    try {
      layout = transportLayout(packet);
    } catch (error) {
      throw decline((error as Error).message);
    }
    const path = this.pathOf(packet, layout, state, gso);
    const problem = addressProblem(layout.ip.version, layout.ip.src, layout.ip.dst, ADDRESSES_OF[path]);
    if (problem) throw decline(`${problem}: the kernel would not send it out of veth0 unchanged`);
    this.send(path, packet, layout, state, gso, options.mark);
    const segment = this.capture.segmentOf(layout, packet, CAPTURE_TIMEOUT_MS);
    if (!segment)
      throw new Error(
        `the packet (${path} path, IPv${layout.ip.version} ${toHex(layout.ip.src)} -> ${toHex(layout.ip.dst)}) was sent but not seen leaving veth0 within ${CAPTURE_TIMEOUT_MS} ms`,
      );
    const out = packet.slice();
    out.set(segment, layout.ip.transportOffset);
    return out;
  }

  close(): void {
    this.capture.close();
    this.raw.close();
    this.forward.close();
  }

  /** The path that makes the packet reach the rule in this state, or the decline that says none does. */
  private pathOf(packet: Uint8Array, layout: TransportLayout, state: ChecksumState, gso: boolean): FillPath {
    if (state === "complete")
      throw decline("a packet cannot be CHECKSUM_COMPLETE on egress (that state belongs to received packets)");
    if (state === "none") {
      if (gso) throw decline("GSO packets leave a sender CHECKSUM_PARTIAL, never CHECKSUM_NONE");
      return "raw-socket";
    }
    if (state === "partial" && !gso && udpSocketProblem(packet, layout) === null) return "udp-socket";
    if (gso && state !== "partial")
      throw decline(`GSO packets are CHECKSUM_PARTIAL; one that is ${state.toUpperCase()} is not built here`);
    const problem = forwardProblem(packet, layout, gso);
    if (problem) throw decline(problem);
    return "forwarded";
  }

  private send(
    path: FillPath,
    packet: Uint8Array,
    layout: TransportLayout,
    state: ChecksumState,
    gso: boolean,
    mark: number | undefined,
  ): void {
    this.capture.drain();
    if (path === "raw-socket") this.raw.send(packet, layout);
    else if (path === "udp-socket") sendFromUdpSocket(packet, layout, mark);
    else if (state === "partial" || state === "unnecessary") this.forward.inject(packet, layout, state, gso);
    else throw new Error(`no forwarded path for a ${state} packet`);
  }
}
