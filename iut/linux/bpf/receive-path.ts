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
// xt_bpf runs with metadata (runXt) use the same pair with bpfrx a port of
// the bridge br0: the program's rule sits in a bridge-family PREROUTING chain
// (br_handle_frame() -> NF_BR_PRE_ROUTING), which sees the frame before
// __netif_receive_skb_core() clears an untaken VLAN tag, at the network
// header with the MAC header before it; a frame it drops never reaches br0
// (promiscuous, so every other frame is passed up to its taps). A sentinel
// frame, which the rule lets through by its EtherType, follows each frame on
// the same CPU's backlog: once br0's tap holds the sentinel, the frame was judged.
// A run that reads skb->hash gets it from a tcx egress program on bpftx
// calling bpf_set_hash() (tcx-program.ts), replaced when the value changes.
import { pinToCurrentCpu } from "../../../sys/cpu-affinity.js";
import { SOL_SOCKET, SO_MARK, setsockoptInt } from "../../../sys/libc.js";
import { PacketSocket } from "../../../sys/packet-socket.js";
import { attachFilter } from "../../../sys/socket-filter.js";
import { writeSysctl } from "../../../sys/sysctl.js";
import { bridgeNetfilterOff } from "../bridge-netfilter-off.js";
import { awaitLinksActive } from "../../../sys/rtnetlink.js";
import { IpCommand } from "../../../sys/veth.js";
import { ifNameToIndex } from "../../../sys/libc.js";
import {
  BPF_CALL,
  BPF_EXIT,
  BPF_MOV64_IMM,
  TCX_PASS,
  attachTcx,
  TcxRefused,
  insn,
  type TcxAttachment,
} from "../../../sys/tcx-program.js";
import type { Insn } from "../../../model/bpf/opcodes.js";
import * as N from "../../../wire/netlink/nftables.js";
import { NFPROTO_BRIDGE } from "../../../wire/netlink/nfnetlink.js";
import type { NftSession } from "../nft-session.js";
import { DEFAULT_RX_MAC, ETH_HLEN, RESERVED_IFINDEX, RX_MTU, type RxLayout, type RxPlan } from "./rx-plan.js";

const RX = "bpfrx";
const TX = "bpftx";
const BRIDGE = "bpfbr0";
const BR_TABLE = "nfconform_bpf_rx";
const BR_CHAIN = "PREROUTING";
/** NF_BR_PRE_ROUTING */
const NF_BR_PRE_ROUTING = 0;
/** The sentinel's destination (broadcast: always passed up) and EtherType (IEEE local experimental 2, which no case frame has). */
const SENTINEL_HEAD = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 0xbb, 0x88, 0xb6);
/** A frame the witness does not see within this long was lost: a harness fault, not a result. */
const WITNESS_MS = 2000;
const MAX_IFINDEX = 0x7fffffff;

type ReceivePlan = Extract<RxPlan, { path: "receive" }>;

const BPF_FUNC_SET_HASH = 48;

/** r2 = hash; call bpf_set_hash(r1 = skb, r2); r0 = TCX_PASS; exit. */
const setHashProgram = (hash: number) => [
  insn(BPF_MOV64_IMM, 2, hash),
  insn(BPF_CALL, 0, BPF_FUNC_SET_HASH),
  insn(BPF_MOV64_IMM, 0, TCX_PASS),
  insn(BPF_EXIT, 0, 0),
];

/** Why the bridge would not take a frame through PREROUTING (br_handle_frame()), or null. */
function bridgeProblem(frame: Uint8Array, seen: Uint8Array): string | null {
  if (seen[12] === 0x88 && seen[13] === 0xb6) return "EtherType 0x88b6 is the receive path's sentinel's";
  const src = frame.subarray(6, 12);
  if ((src[0]! & 1) === 1 || src.every((b) => b === 0))
    return "the bridge drops a frame whose source MAC is multicast or zero (br_handle_frame(): !is_valid_ether_addr())";
  if (
    frame[0] === 0x01 &&
    frame[1] === 0x80 &&
    frame[2] === 0xc2 &&
    frame[3] === 0 &&
    frame[4] === 0 &&
    (frame[5]! & 0xf0) === 0
  )
    return "a link-local destination (01:80:c2:00:00:0x) skips the bridge's PREROUTING (br_handle_frame())";
  return null;
}

const sameBytes = (x: Uint8Array, y: Uint8Array) => x.length === y.length && x.every((b, j) => b === y[j]);
const macText = (m: Uint8Array) => [...m].map((b) => b.toString(16).padStart(2, "0")).join(":");

export class ReceivePath {
  private ifindex: number | undefined;
  private mac = "";
  private sender: PacketSocket | undefined;
  private witness: PacketSocket | undefined;
  private senderMark = 0;
  /** The tcx egress program on bpftx and the hash it sets. */
  private hashSetter: { hash: number; attachment: TcxAttachment } | undefined;
  private readonly filters = new Map<string, PacketSocket>();
  /** xt_bpf: the handle whose rule is in the bridge chain, br0's tap, and the sentinel's sender. */
  private xtRule: string | undefined;
  private bridgeTap: PacketSocket | undefined;
  private sentinelSender: PacketSocket | undefined;
  private sentinels = 0;

  constructor(
    private readonly session?: NftSession,
    private readonly ip = new IpCommand(),
  ) {}

  /** xt_bpf at the bridge's PREROUTING: 1 for each frame the program matched (the rule dropped it), else 0. */
  runXt(handle: string, program: readonly Insn[], plan: ReceivePlan): number[] | string {
    this.ensureDevice(plan.ifindex, macText(plan.deviceMac));
    for (const [i, { frame, seen }] of plan.frames.entries()) {
      const why = bridgeProblem(frame, seen);
      if (why) return `packet metadata mac: frame ${i}: ${why}`;
    }
    this.ensureBridge();
    if (this.xtRule !== handle) {
      // One rule at a time: veth zeroes skb->priority (____dev_forward_skb()), so nothing the
      // sender sets tells programs apart; the guard keeps the sentinel (its own EtherType) out.
      const info = N.bpfMatchInfoV0(program.slice(0, N.XT_BPF_MAX_NUM_INSTR), program.length & 0xffff);
      const outcome = this.session!.apply([
        N.deleteRule(NFPROTO_BRIDGE, BR_TABLE, BR_CHAIN),
        N.newRule({
          family: NFPROTO_BRIDGE,
          table: BR_TABLE,
          chain: BR_CHAIN,
          expressions: [
            { kind: "meta", key: N.NFT_META_PROTOCOL, dreg: N.NFT_REG_1 },
            { kind: "cmp", sreg: N.NFT_REG_1, op: N.NFT_CMP_NEQ, data: Uint8Array.of(0x88, 0xb6) },
            { kind: "match", name: "bpf", rev: 0, info },
            N.drop(),
          ],
        }),
      ]);
      if (!outcome.committed)
        throw new Error(`bpf receive path: the bridge xt_bpf rule was refused (errno ${outcome.errnos.join(", ")})`);
      this.xtRule = handle;
    }
    bridgeNetfilterOff();
    this.setSender(plan.mark);
    const hashProblem = this.setHash(plan.rxhash);
    if (hashProblem) return hashProblem;
    const unpin = pinToCurrentCpu(); // the frame and its sentinel share one backlog queue, in order
    try {
      return plan.frames.map(({ frame, seen, pkttype }, i) => {
        this.witness!.drain();
        this.bridgeTap!.drain();
        this.sender!.send(frame);
        this.awaitWitness(seen, pkttype, i);
        const sentinel = Uint8Array.of(
          ...SENTINEL_HEAD,
          ...String(++this.sentinels)
            .padStart(46, "0")
            .split("")
            .map(Number),
        );
        this.sentinelSender!.send(sentinel);
        let passed = false;
        const deadline = Date.now() + WITNESS_MS;
        for (;;) {
          const f = this.bridgeTap!.recv(Math.max(0, deadline - Date.now()));
          if (!f) throw new Error(`bpf receive path: the sentinel after frame ${i} did not reach ${BRIDGE}`);
          if (sameBytes(f.data, seen)) passed = true;
          else if (sameBytes(f.data, sentinel)) return passed ? 0 : 1;
        }
      });
    } finally {
      unpin();
    }
  }

  private setSender(mark: number): void {
    if (this.senderMark !== mark) {
      setsockoptInt(this.sender!.fd, SOL_SOCKET, SO_MARK, mark | 0);
      this.senderMark = mark;
    }
  }

  /** br0 with bpfrx as its port, promiscuous, and the bridge-family PREROUTING chain. */
  private ensureBridge(): void {
    if (!this.bridgeTap) {
      if (!this.bridgeMade) {
        // No multicast snooping: br_multicast_rcv() drops a multicast frame whose IPv4/IPv6 header
        // fails its check (ipv6_mc_check_mld(): an IPv4 packet under 0x86dd), which would read as a match.
        this.ip.apply([
          {
            kind: "bridge-add",
            name: BRIDGE,
            mac: "02:00:00:00:00:b0",
            index: RESERVED_IFINDEX.bridge,
            mcastSnooping: false,
          },
        ]);
        writeSysctl(`net.ipv6.conf.${BRIDGE}.disable_ipv6`, 1);
        const outcome = this.session!.apply([
          N.newTable({ family: NFPROTO_BRIDGE, name: BR_TABLE }),
          N.newChain({
            family: NFPROTO_BRIDGE,
            table: BR_TABLE,
            name: BR_CHAIN,
            type: "filter",
            hook: { hooknum: NF_BR_PRE_ROUTING, priority: 0 },
            policy: N.NF_ACCEPT,
          }),
        ]);
        if (!outcome.committed)
          throw new Error(`creating the bridge xt_bpf chain failed: errno ${outcome.errnos.join(", ")}`);
        this.bridgeMade = true;
      }
      this.ip.apply([
        { kind: "link-master", dev: RX, master: BRIDGE },
        { kind: "link-promisc", dev: BRIDGE },
        { kind: "link-up", dev: BRIDGE },
      ]);
      this.bridgeTap = PacketSocket.open(BRIDGE);
      this.sentinelSender = PacketSocket.open(TX);
    }
  }
  private bridgeMade = false;

  /** The bytes each frame's filter let through, or why the run is declined. */
  run(handle: string, program: readonly Insn[], plan: ReceivePlan): number[] | string {
    this.ensureDevice(plan.ifindex, macText(plan.deviceMac));
    const filter = this.filterSocket(handle, program, plan.layout);
    this.setSender(plan.mark);
    const hashProblem = this.setHash(plan.rxhash);
    if (hashProblem) return hashProblem;
    return plan.frames.map(({ frame, seen, pkttype }, i) => {
      filter.drain();
      this.witness!.drain();
      this.sender!.send(frame);
      this.awaitWitness(seen, pkttype, i);
      const want = plan.layout === "raw" ? seen : seen.subarray(ETH_HLEN);
      let got = 0;
      for (let f = filter.recv(0); f; f = filter.recv(0)) {
        if (f.data.length <= want.length && sameBytes(f.data, want.subarray(0, f.data.length))) got = f.data.length;
      }
      return got;
    });
  }

  /**
   * Makes bpftx's tcx egress program set skb->hash to `hash` (undefined: the
   * run reads no hash, so any program may stay). Null, or why the kernel
   * refused the program (no CAP_BPF in a user namespace).
   */
  private setHash(hash: number | undefined): string | null {
    if (hash === undefined || this.hashSetter?.hash === hash) return null;
    const old = this.hashSetter;
    this.hashSetter = undefined;
    try {
      old?.attachment.detach();
    } catch (error) {
      throw new Error(
        `bpf receive path: detaching the skb->hash program from ${TX}'s tcx egress failed: ${(error as Error).message}`,
      );
    }
    try {
      this.hashSetter = { hash, attachment: attachTcx(ifNameToIndex(TX), "egress", setHashProgram(hash)) };
    } catch (error) {
      // Only the kernel's refusal declines; a rejected program is the suite's bug.
      if (!(error instanceof TcxRefused)) throw error;
      return `packet metadata rxhash: the kernel refused the tc program that sets skb->hash (bpf_set_hash()): ${error.message}`;
    }
    return null;
  }

  /** Waits until the witness holds the frame, and checks the packet type the plan counts on. */
  private awaitWitness(seen: Uint8Array, pkttype: number | undefined, i: number): void {
    const deadline = Date.now() + WITNESS_MS;
    for (;;) {
      const f = this.witness!.recv(Math.max(0, deadline - Date.now()));
      if (!f) throw new Error(`bpf receive path: frame ${i} did not reach ${RX} within ${WITNESS_MS} ms`);
      if (!sameBytes(f.data, seen)) continue;
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

  /**
   * Makes bpfrx the device the plan needs (its ifindex and MAC). Every device
   * made here has a fixed ifindex (RESERVED_IFINDEX for the bridge and a pair
   * no run reads the index of), so no index depends on what ran before; the
   * plan declined the reserved ones, so failing to take another is a harness fault.
   */
  private ensureDevice(ifindex: number | undefined, mac: string): void {
    const recreate = !this.sender || (ifindex !== undefined && ifindex !== this.ifindex);
    if (recreate) {
      this.closeSockets();
      this.hashSetter?.attachment.release(); // deleting the device takes its program off
      this.hashSetter = undefined;
      if (this.ifindex !== undefined) this.ip.apply([{ kind: "link-del", dev: RX }]);
      this.ifindex = undefined;
      const index = ifindex ?? RESERVED_IFINDEX.autoRx;
      const peerIndex = ifindex === undefined ? RESERVED_IFINDEX.autoTx : index < MAX_IFINDEX ? index + 1 : index - 1;
      try {
        this.ip.apply([
          { kind: "veth-add", name: RX, peer: TX, mac: macText(DEFAULT_RX_MAC), mtu: RX_MTU, index, peerIndex },
        ]);
      } catch (e) {
        const why = (e instanceof Error ? e.message : String(e)).split("\n")[0];
        throw new Error(
          `bpf receive path: the receiving veth pair cannot take ifindexes ${index}/${peerIndex} (a device the namespace should not hold?): ${why}`,
        );
      }
      // No IPv6 on the pair: its autoconfiguration frames would reach the filter too.
      writeSysctl(`net.ipv6.conf.${RX}.disable_ipv6`, 1);
      writeSysctl(`net.ipv6.conf.${TX}.disable_ipv6`, 1);
      this.ip.apply([
        { kind: "link-up", dev: RX },
        { kind: "link-up", dev: TX },
      ]);
      // Until linkwatch runs, bpftx drops what it sends and a bridge port made of bpfrx stays
      // disabled (br_add_if() enables it only if netif_oper_up()): an xt_bpf frame it dropped
      // and a sentinel sent after linkwatch ran would read as a match.
      awaitLinksActive([RX, TX]);
      this.ifindex = index;
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
  }

  /** Forgets the filter socket of an unloaded program. */
  unload(handle: string): void {
    for (const layout of ["dgram", "raw"] as const) {
      const key = `${layout} ${handle}`;
      this.filters.get(key)?.closeInBackground();
      this.filters.delete(key);
    }
  }

  /** Removes an unloaded xt_bpf program's bridge rule. */
  unloadXt(handle: string): void {
    if (this.xtRule === handle) this.flushXt();
  }

  private flushXt(): void {
    const outcome = this.session!.apply([N.deleteRule(NFPROTO_BRIDGE, BR_TABLE, BR_CHAIN)]);
    if (!outcome.committed) throw new Error(`flushing the bridge xt_bpf chain failed: errno ${outcome.errnos[0]}`);
    this.xtRule = undefined;
  }

  private closeSockets(): void {
    this.bridgeTap?.closeInBackground();
    this.sentinelSender?.closeInBackground();
    this.bridgeTap = this.sentinelSender = undefined;
    for (const s of this.filters.values()) s.closeInBackground();
    this.filters.clear();
    this.witness?.closeInBackground();
    this.sender?.closeInBackground();
    this.witness = this.sender = undefined;
  }

  reset(): void {
    for (const s of this.filters.values()) s.closeInBackground();
    this.filters.clear();
    if (this.xtRule !== undefined) this.flushXt();
  }

  close(): void {
    this.closeSockets();
    this.hashSetter?.attachment.release();
    this.hashSetter = undefined;
  }
}
