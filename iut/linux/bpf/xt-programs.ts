// The xt_bpf attach point on the kernel: the rule `iptables -A OUTPUT -m bpf
// --bytecode ... -j DROP` as nft_compat builds it (match "bpf" revision 0 with
// an xt_bpf_info blob), restricted to one skb priority per loaded program (the
// mark is the run's own: bpf.run's meta.mark, set with SO_MARK), in an OUTPUT
// base chain of an ipv4 and an ipv6 table. The rule's ack is the load's
// errno. A run sends each packet whole through a raw socket (IPPROTO_RAW,
// header included) carrying that program's priority: LOCAL_OUT runs
// inside sendto(), and a packet the match dropped makes sendto() fail with
// EPERM (raw_send_hdrinc(), rawv6_send_hdrinc(): NF_HOOK's -EPERM), so each
// result is known when the call returns.
import type { Insn } from "../../../model/bpf/opcodes.js";
import { EPERM } from "../../../sys/errno.js";
import { sockaddrOfBytes } from "../../../sys/inet-addr.js";
import { sendtoErrno, setsockoptInt, SO_MARK, SO_PRIORITY, SOL_SOCKET, SysError } from "../../../sys/libc.js";
import { RawSocket } from "../../../sys/raw-socket.js";
import { IPPROTO_RAW } from "../../../wire/protocol-numbers.js";
import { hostU32 } from "../../../wire/netlink/bytes.js";
import * as N from "../../../wire/netlink/nftables.js";
import { NFPROTO_IPV4, NFPROTO_IPV6 } from "../../../wire/netlink/nfnetlink.js";
import { addressProblem } from "../address-policy.js";
import type { NftSession } from "../nft-session.js";

const TABLE = "nfconform_bpf";
const CHAIN = "OUTPUT";
/** Priorities of loaded programs start here (SO_PRIORITY above 6 needs CAP_NET_ADMIN, which the area has). */
const FIRST_MARK = 0x62700000;

export class LinuxXtPrograms {
  private readonly marks = new Map<string, number>();
  private readonly programs = new Map<string, readonly Insn[]>();
  private nextMark = FIRST_MARK;
  private readonly sockets: Record<4 | 6, RawSocket>;
  private readonly socketPriority: Record<4 | 6, number> = { 4: 0, 6: 0 };
  private readonly socketMark: Record<4 | 6, number> = { 4: 0, 6: 0 };
  private readonly destinations: Record<4 | 6, Uint8Array> = {
    4: sockaddrOfBytes(new Uint8Array(4)),
    6: sockaddrOfBytes(new Uint8Array(16)),
  };

  constructor(private readonly session: NftSession) {
    for (const family of [NFPROTO_IPV4, NFPROTO_IPV6]) {
      const outcome = session.apply([
        N.newTable({ family, name: TABLE }),
        N.newChain({
          family,
          table: TABLE,
          name: CHAIN,
          type: "filter",
          hook: { hooknum: N.NF_INET_LOCAL_OUT, priority: 0 },
          policy: N.NF_ACCEPT,
        }),
      ]);
      if (!outcome.committed) throw new Error(`creating the xt_bpf chains failed: errno ${outcome.errnos.join(", ")}`);
    }
    this.sockets = { 4: RawSocket.open(4, IPPROTO_RAW), 6: RawSocket.open(6, IPPROTO_RAW) };
  }

  /** Adds the program's rule to both families; the IPv4 rule's ack is the errno (the IPv6 one must agree). */
  load(handle: string, program: readonly Insn[]): number {
    const mark = this.nextMark++;
    // The blob has 64 slots; a longer program is sent as its count with the first 64 (the kernel refuses count > 64 first).
    const info = N.bpfMatchInfoV0(program.slice(0, N.XT_BPF_MAX_NUM_INSTR), program.length & 0xffff);
    const rule = (family: number) =>
      N.newRule({
        family,
        table: TABLE,
        chain: CHAIN,
        expressions: [
          { kind: "meta", key: N.NFT_META_PRIORITY, dreg: N.NFT_REG_1 },
          { kind: "cmp", sreg: N.NFT_REG_1, op: N.NFT_CMP_EQ, data: hostU32(mark) },
          { kind: "match", name: "bpf", rev: 0, info },
          { kind: "counter" },
          N.drop(),
        ],
      });
    const v4 = this.session.apply([rule(NFPROTO_IPV4)]).errnos[0]!;
    if (v4 !== 0) return v4;
    const v6 = this.session.apply([rule(NFPROTO_IPV6)]).errnos[0]!;
    if (v6 !== 0) throw new Error(`xt_bpf: the ipv4 rule was accepted but the ipv6 one refused with errno ${v6}`);
    this.marks.set(handle, mark);
    this.programs.set(handle, program);
    return 0;
  }

  has(handle: string): boolean {
    return this.marks.has(handle);
  }

  /** The loaded program (which skb fields it reads decides which metadata a run needs). */
  program(handle: string): readonly Insn[] {
    return this.programs.get(handle)!;
  }

  /** 1 when the match dropped the packet (sendto() failed with EPERM), else 0; `skbMark` is the packet's skb->mark. */
  runOne(handle: string, packet: Uint8Array, version: 4 | 6, skbMark = 0): number {
    const priority = this.marks.get(handle)!;
    const socket = this.sockets[version];
    if (this.socketPriority[version] !== priority) {
      setsockoptInt(socket.fd, SOL_SOCKET, SO_PRIORITY, priority);
      this.socketPriority[version] = priority;
    }
    // raw_send_hdrinc(): skb->mark = sockc.mark, sk_mark unless a cmsg says otherwise.
    if (this.socketMark[version] !== skbMark) {
      setsockoptInt(socket.fd, SOL_SOCKET, SO_MARK, skbMark | 0);
      this.socketMark[version] = skbMark;
    }
    // The header's destination picks the route: written as bytes into the socket's one sockaddr (no text round trip).
    const to = this.destinations[version];
    if (version === 4) to.set(packet.subarray(16, 20), 4);
    else to.set(packet.subarray(24, 40), 8);
    const sent = sendtoErrno(socket.fd, packet, to);
    if (sent === -EPERM) return 1;
    if (sent < 0) throw new SysError("sendto", -sent);
    if (sent !== packet.length) throw new Error(`raw send: ${sent} of ${packet.length} bytes sent`);
    return 0;
  }

  /** Why the kernel cannot send this packet unchanged from a raw socket, or null. */
  static addressProblem(packet: Uint8Array, version: 4 | 6): string | null {
    return version === 4
      ? addressProblem(4, packet.subarray(12, 16), packet.subarray(16, 20))
      : addressProblem(6, packet.subarray(8, 24), packet.subarray(24, 40));
  }

  unload(handle: string): boolean {
    // The rule stays until reset flushes the chains; with its mark unused it never matches again.
    this.programs.delete(handle);
    return this.marks.delete(handle);
  }

  reset(): void {
    if (this.marks.size === 0 && this.nextMark === FIRST_MARK) return;
    for (const family of [NFPROTO_IPV4, NFPROTO_IPV6]) {
      const outcome = this.session.apply([N.deleteRule(family, TABLE, CHAIN)]);
      if (!outcome.committed) throw new Error(`flushing the xt_bpf chain failed: errno ${outcome.errnos[0]}`);
    }
    this.marks.clear();
    this.programs.clear();
    this.nextMark = FIRST_MARK;
  }

  close(): void {
    this.sockets[4].close();
    this.sockets[6].close();
  }
}
