// The receive path a socket-filter run with metadata takes (rx-plan.ts): a
// veth pair bpftx -> bpfrx in the area's namespace (one namespace, so veth
// keeps skb->mark: skb_scrub_packet() clears it only across namespaces). A
// raw packet socket on bpftx sends each frame with SO_MARK; on bpfrx the
// program is the filter of a packet socket (packet_rcv() -> run_filter(): the
// result is min(return value, length), 0 drops), and a witness socket with
// no filter sees every frame. Sockets bound to a device sit on its ptype_all
// list, which dev_add_pack() fills at the head and __netif_receive_skb_core()
// walks from the head, so a filter socket opened after the witness has had
// the frame (or dropped it) once the witness holds it: no timeout decides a drop.
import { SOL_SOCKET, SO_MARK, setsockoptInt } from "../../../sys/libc.js";
import { PacketSocket } from "../../../sys/packet-socket.js";
import { attachFilter } from "../../../sys/socket-filter.js";
import { writeSysctl } from "../../../sys/sysctl.js";
import { IpCommand, type NetOp } from "../../../sys/veth.js";
import type { Insn } from "../../../model/bpf/opcodes.js";
import { DEFAULT_RX_MAC, ETH_HLEN, RX_MTU, type RxLayout, type RxPlan } from "./rx-plan.js";

const RX = "bpfrx";
const TX = "bpftx";
/** A frame the witness does not see within this long was lost: a harness fault, not a result. */
const WITNESS_MS = 2000;
const MAX_IFINDEX = 0x7fffffff;

type ReceivePlan = Extract<RxPlan, { path: "receive" }>;

const macText = (m: Uint8Array) => [...m].map((b) => b.toString(16).padStart(2, "0")).join(":");

export class ReceivePath {
  private ifindex: number | undefined;
  private mac = "";
  private sender: PacketSocket | undefined;
  private witness: PacketSocket | undefined;
  private senderMark = 0;
  private readonly filters = new Map<string, PacketSocket>();

  constructor(private readonly ip = new IpCommand()) {}

  /** The bytes each frame's filter let through; a string when the device the plan needs cannot be made. */
  run(handle: string, program: readonly Insn[], plan: ReceivePlan): number[] | string {
    const problem = this.ensureDevice(plan.ifindex, macText(plan.deviceMac));
    if (problem) return problem;
    const filter = this.filterSocket(handle, program, plan.layout);
    if (this.senderMark !== plan.mark) {
      setsockoptInt(this.sender!.fd, SOL_SOCKET, SO_MARK, plan.mark | 0);
      this.senderMark = plan.mark;
    }
    return plan.frames.map(({ frame, seen, pkttype }, i) => {
      filter.drain();
      this.witness!.drain();
      this.sender!.send(frame);
      this.awaitWitness(seen, pkttype, i);
      const want = plan.layout === "raw" ? seen : seen.subarray(ETH_HLEN);
      let got = 0;
      for (let f = filter.recv(0); f; f = filter.recv(0)) {
        if (f.data.length <= want.length && f.data.every((b, j) => b === want[j])) got = f.data.length;
      }
      return got;
    });
  }

  /** Waits until the witness holds the frame, and checks the packet type the plan counts on. */
  private awaitWitness(seen: Uint8Array, pkttype: number | undefined, i: number): void {
    const deadline = Date.now() + WITNESS_MS;
    for (;;) {
      const f = this.witness!.recv(Math.max(0, deadline - Date.now()));
      if (!f) throw new Error(`bpf receive path: frame ${i} did not reach ${RX} within ${WITNESS_MS} ms`);
      if (f.data.length !== seen.length || !f.data.every((b, j) => b === seen[j])) continue;
      if (pkttype !== undefined && f.pktType !== pkttype)
        throw new Error(`bpf receive path: frame ${i} arrived as packet type ${f.pktType}, not ${pkttype}`);
      return;
    }
  }

  private filterSocket(handle: string, program: readonly Insn[], layout: RxLayout): PacketSocket {
    const key = `${layout} ${handle}`;
    let s = this.filters.get(key);
    if (!s) {
      s = PacketSocket.open(RX, { cooked: layout === "dgram" });
      const errno = attachFilter(s.fd, program);
      if (errno !== 0) {
        s.close();
        throw new Error(
          `bpf receive path: SO_ATTACH_FILTER on a packet socket failed (errno ${errno}) for a loaded program`,
        );
      }
      this.filters.set(key, s);
    }
    return s;
  }

  /** Makes bpfrx the device the plan needs (its ifindex and MAC), or says why it cannot be made. */
  private ensureDevice(ifindex: number | undefined, mac: string): string | null {
    const recreate = !this.sender || (ifindex !== undefined && ifindex !== this.ifindex);
    if (recreate) {
      this.closeSockets();
      const ops: NetOp[] = [];
      if (this.ifindex !== undefined) ops.push({ kind: "link-del", dev: RX });
      if (ops.length) this.ip.apply(ops);
      this.ifindex = undefined;
      const peerIndex = ifindex === undefined ? undefined : ifindex < MAX_IFINDEX ? ifindex + 1 : ifindex - 1;
      try {
        this.ip.apply([
          {
            kind: "veth-add",
            name: RX,
            peer: TX,
            mac: macText(DEFAULT_RX_MAC),
            mtu: RX_MTU,
            ...(ifindex !== undefined ? { index: ifindex, peerIndex } : {}),
          },
        ]);
      } catch (e) {
        const why = (e instanceof Error ? e.message : String(e)).split("\n")[0];
        return `packet metadata device: ifindex ${ifindex} cannot be given to the receiving veth: ${why}`;
      }
      // No IPv6 on the pair: its autoconfiguration frames would reach the filter too.
      writeSysctl(`net.ipv6.conf.${RX}.disable_ipv6`, 1);
      writeSysctl(`net.ipv6.conf.${TX}.disable_ipv6`, 1);
      this.ip.apply([
        { kind: "link-up", dev: RX },
        { kind: "link-up", dev: TX },
      ]);
      this.ifindex = ifindex ?? -1;
      this.mac = macText(DEFAULT_RX_MAC);
      // The witness first: filter sockets opened later are ahead of it on ptype_all.
      this.witness = PacketSocket.open(RX);
      this.sender = PacketSocket.open(TX);
      this.senderMark = 0;
    }
    if (mac !== this.mac) {
      this.ip.apply([{ kind: "link-address", dev: RX, mac }]);
      this.mac = mac;
    }
    return null;
  }

  /** Forgets the filter socket of an unloaded program. */
  unload(handle: string): void {
    for (const layout of ["dgram", "raw"] as const) {
      const key = `${layout} ${handle}`;
      this.filters.get(key)?.closeInBackground();
      this.filters.delete(key);
    }
  }

  private closeSockets(): void {
    for (const s of this.filters.values()) s.closeInBackground();
    this.filters.clear();
    this.witness?.closeInBackground();
    this.sender?.closeInBackground();
    this.witness = this.sender = undefined;
  }

  reset(): void {
    for (const s of this.filters.values()) s.closeInBackground();
    this.filters.clear();
  }

  close(): void {
    this.closeSockets();
  }
}
