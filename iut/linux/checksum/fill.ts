// checksum.fill on the kernel. The request's packet is made to meet a compat
// `CHECKSUM --checksum-fill` rule in the requested state, on the first of
// these paths that can present it unchanged:
//   egress, captured leaving veth0 after mangle POSTROUTING:
//     partial, UDP, no options   a UDP socket over veth's tx checksum offload
//     none                       a raw socket (header included)
//     partial (TCP, options,     forwarded: injected on veth1 with a
//     extension headers), GSO    virtio_net_hdr asking for that state
//   receive, logged after mangle PREROUTING (receive-path.ts):
//     every state, GSO in the states the kernel allows, and addresses the
//     egress paths would not send unchanged
// What no path can present is declined with the reason.
//
// The reply is the request's IP header followed by the transport segment as
// seen after the target: the target writes only inside the segment, while on
// egress the kernel chooses header fields of its own (IPv4 ID and header
// checksum, a forwarded packet's TTL).
import type { ChecksumState } from "../../../model/checksum/checksum-target.js";
import { transportLayout, type TransportLayout } from "../../../model/checksum/packet-checksum.js";
import { addressProblem, type SendPath } from "../address-policy.js";
import { EgressCapture } from "../egress-capture.js";
import type { NftSession } from "../nft-session.js";
import { decline } from "./decline.js";
import { installFillRules } from "./fill-rules.js";
import { ForwardInjector, forwardProblem } from "./forward-injector.js";
import { RawSender } from "./raw-sender.js";
import { type OpenTap, ReceivePath } from "./receive-path.js";
import { toHex } from "../../../wire/hex.js";
import { sendFromUdpSocket, udpSocketProblem } from "./udp-socket-sender.js";

const CAPTURE_TIMEOUT_MS = 1000;

export type FillPath = "udp-socket" | "raw-socket" | "forwarded" | "received";
type EgressPath = Exclude<FillPath, "received">;

/** The addresses each egress path sends unchanged (address-policy.ts). */
const ADDRESSES_OF: Record<EgressPath, SendPath> = { "udp-socket": "udp", "raw-socket": "raw", forwarded: "any" };

export class LinuxChecksumFill {
  private readonly capture: EgressCapture;
  private readonly raw: RawSender;
  private readonly forward: ForwardInjector;
  /**
   * Built on the first case that needs it (taps, rules, a tc program, an
   * nflog socket: tens of milliseconds an instance whose cases all leave by
   * an egress path never spends). Null once it could not be set up;
   * `receiveUnavailable` says why.
   */
  private receivePath: ReceivePath | null | undefined;
  private receiveUnavailable: string | null = null;

  /**
   * Throws when an egress path cannot be opened, having closed what it opened
   * (open fds would pin the namespace). A receive path that cannot be set up
   * (no /dev/net/tun, rules refused) declines only the cases that need it.
   * `openTap` is for tests.
   */
  constructor(
    private readonly session: NftSession,
    private readonly options: { openTap?: OpenTap } = {},
  ) {
    installFillRules(session);
    const opened: { close(): void }[] = [];
    const keep = <T extends { close(): void }>(x: T): T => {
      opened.push(x);
      return x;
    };
    try {
      this.capture = keep(new EgressCapture());
      this.raw = keep(new RawSender());
      this.forward = keep(new ForwardInjector());
    } catch (error) {
      for (const x of opened) x.close();
      throw error;
    }
  }

  /** The receive path, set up now if this is the first case that needs it; null when it cannot be. */
  private receiver(): ReceivePath | null {
    if (this.receivePath === undefined) {
      try {
        this.receivePath = new ReceivePath(this.session, this.options.openTap);
      } catch (error) {
        this.receivePath = null;
        this.receiveUnavailable = `the receive path is unavailable: ${(error as Error).message}`;
      }
    }
    return this.receivePath;
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
    if (path === "received") return this.received(packet, layout, state, gso);
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
    this.receivePath?.close();
  }

  /** The receive path: the logged packet's segment after the request's IP header. */
  private received(packet: Uint8Array, layout: TransportLayout, state: ChecksumState, gso: boolean): Uint8Array {
    const receivePath = this.receiver();
    if (!receivePath) throw new Error("checksum.fill: no receive path (pathOf() declines these cases)");
    const logged = receivePath.receive(packet, layout, state, gso);
    if (!logged) throw decline("the tap refused its virtio_net_hdr (virtio_net_hdr_to_skb(): EINVAL)");
    if (logged.length !== packet.length)
      throw new Error(`the receive path logged ${logged.length} bytes for a packet of ${packet.length}`);
    const out = packet.slice();
    out.set(logged.subarray(layout.ip.transportOffset), layout.ip.transportOffset);
    return out;
  }

  /** The path that makes the packet reach a rule in this state, or the decline that says none does. */
  private pathOf(packet: Uint8Array, layout: TransportLayout, state: ChecksumState, gso: boolean): FillPath {
    const egress = egressPathOf(packet, layout, state, gso);
    if (egress !== null) {
      const problem = addressProblem(layout.ip.version, layout.ip.src, layout.ip.dst, ADDRESSES_OF[egress]);
      if (!problem) return egress;
    }
    const receivePath = this.receiver();
    if (!receivePath) throw decline(this.receiveUnavailable ?? "the receive path is unavailable");
    const problem = receivePath.problem(packet, layout, state, gso);
    if (problem) throw decline(problem);
    return "received";
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
    else if (state === "partial") this.forward.inject(packet, layout, gso);
    else throw new Error(`no forwarded path for a ${state} packet`);
  }
}

/**
 * The egress path for this state, or null when none sends it: CHECKSUM_COMPLETE
 * and CHECKSUM_UNNECESSARY belong to received packets, and a sender's GSO
 * packet is CHECKSUM_PARTIAL.
 */
function egressPathOf(
  packet: Uint8Array,
  layout: TransportLayout,
  state: ChecksumState,
  gso: boolean,
): EgressPath | null {
  if (state === "none") return gso ? null : "raw-socket";
  if (state !== "partial") return null;
  if (!gso && udpSocketProblem(packet, layout) === null) return "udp-socket";
  return forwardProblem(packet, layout, gso) === null ? "forwarded" : null;
}
