// cttimeout users on the kernel: the rule `iptables-nft -t raw -A PREROUTING
// -p <l4> -j CT --timeout NAME` adds, as an nft_compat CT target (revision 2,
// what iptables-nft 1.8 sends: xt_ct_tg_check_v2) in table raw, base chain
// PREROUTING (priority -300), with NFTA_RULE_COMPAT carrying the protocol
// xt_ct_find_proto() reads. A mark no packet carries keeps the rule from
// acting on traffic. The rule's ack is the attach errno; NLM_F_ECHO gives its
// handle, and detach deletes it by handle.
import { AdapterReplyError } from "../../iut.js";
import { NetlinkSocket } from "../../../sys/netlink-socket.js";
import { NETLINK_NETFILTER } from "../../../wire/netlink/nfnetlink.js";
import { decodeMessages, NLM_F_ECHO, NLMSG_ERROR, decodeErrorMessage } from "../../../wire/netlink/message.js";
import * as N from "../../../wire/netlink/nftables.js";
import { encodeBatch, NFPROTO_IPV4, NFPROTO_IPV6, type BatchEntry } from "../../../wire/netlink/nfnetlink.js";
import type { AttachRequest } from "../../../model/cttimeout/users.js";

const TABLE = "raw";
const CHAIN = "PREROUTING";
const CT_REVISION = 2;
const NEVER_MATCHES: N.Expression[] = [
  { kind: "meta", key: N.NFT_META_MARK, dreg: N.NFT_REG_1 },
  { kind: "cmp", sreg: N.NFT_REG_1, op: N.NFT_CMP_EQ, data: Uint8Array.of(0x6e, 0x66, 0x63, 0x74) },
];

/** xt_ct_target_info_v1 with `timeout` holding the name's bytes (all 32 may be used: the kernel then says ENAMETOOLONG). */
function ctInfo(name: Uint8Array): Uint8Array {
  const info = N.ctTargetInfoV1({});
  info.set(name.subarray(0, 32), 28);
  return info;
}

/** iptables-nft's `-p`: payload protocol byte (IPv4) or meta l4proto (IPv6), compared. */
function protocolMatch(family: number, proto: number): N.Expression[] {
  const load: N.Expression =
    family === NFPROTO_IPV4
      ? { kind: "payload", base: N.NFT_PAYLOAD_NETWORK_HEADER, offset: 9, len: 1, dreg: N.NFT_REG_1 }
      : { kind: "meta", key: N.NFT_META_L4PROTO, dreg: N.NFT_REG_1 };
  return [load, { kind: "cmp", sreg: N.NFT_REG_1, op: N.NFT_CMP_EQ, data: Uint8Array.of(proto) }];
}

interface Held {
  family: number;
  handle: bigint;
}

export class LinuxCttimeoutUsers {
  private readonly socket = NetlinkSocket.open(NETLINK_NETFILTER, { capAck: true, rcvbuf: 1 << 20 });
  private seq = 1;
  private readonly rules = new Map<string, Held>();
  private nextRef = 1;

  constructor() {
    for (const family of [NFPROTO_IPV4, NFPROTO_IPV6]) {
      const r = this.apply([
        N.newTable({ family, name: TABLE }),
        N.newChain({
          family,
          table: TABLE,
          name: CHAIN,
          type: "filter",
          hook: { hooknum: N.NF_INET_PRE_ROUTING, priority: -300 },
          policy: N.NF_ACCEPT,
        }),
      ]);
      if (r.errnos.some((e) => e !== 0))
        throw new Error(`creating table raw chain PREROUTING (family ${family}) failed: errno ${r.errnos.join(", ")}`);
    }
  }

  get count(): number {
    return this.rules.size;
  }

  /** Adds the rule; its ack is the errno. */
  attach(r: AttachRequest): { errno: number; ref?: string } {
    const rule = N.newRule({
      family: r.l3proto,
      table: TABLE,
      chain: CHAIN,
      expressions: [
        ...NEVER_MATCHES,
        ...(r.l4proto === 0 ? [] : protocolMatch(r.l3proto, r.l4proto)),
        { kind: "target", name: "CT", rev: CT_REVISION, info: ctInfo(r.name) },
      ],
      compat: { proto: r.l4proto, flags: 0 },
    });
    const outcome = this.apply([{ ...rule, flags: (rule.flags ?? 0) | NLM_F_ECHO }]);
    const errno = outcome.errnos[0]!;
    if (errno !== 0) return { errno };
    if (outcome.handle === undefined)
      throw new AdapterReplyError("internal", "cttimeout.attach", "the kernel echoed no rule handle");
    const ref = `r${this.nextRef++}`;
    this.rules.set(ref, { family: r.l3proto, handle: outcome.handle });
    return { errno: 0, ref };
  }

  /** Deletes the rule; undefined when the ref is unknown. */
  detach(ref: string): number | undefined {
    const held = this.rules.get(ref);
    if (!held) return undefined;
    const r = this.apply([N.deleteRule(held.family, TABLE, CHAIN, held.handle)]);
    if (r.errnos[0] !== 0)
      throw new AdapterReplyError(
        "internal",
        "cttimeout.detach",
        `deleting rule ${held.handle} failed: errno ${r.errnos[0]}`,
      );
    this.rules.delete(ref);
    return 0;
  }

  /** Flushes both chains: every user goes. */
  flush(): void {
    if (this.rules.size === 0) return;
    const r = this.apply([N.deleteRule(NFPROTO_IPV4, TABLE, CHAIN), N.deleteRule(NFPROTO_IPV6, TABLE, CHAIN)]);
    if (r.errnos.some((e) => e !== 0)) throw new Error(`flushing the raw chains failed: errno ${r.errnos.join(", ")}`);
    this.rules.clear();
  }

  /** One transaction with an ack per entry; the echoed rule's handle, if any. */
  private apply(entries: readonly BatchEntry[], timeoutMs = 5000): { errnos: number[]; handle?: bigint } {
    const batch = encodeBatch(entries, { firstSeq: this.seq, ack: true });
    this.seq = batch.endSeq + 1;
    this.socket.send(batch.bytes);
    const errnos = new Map<number, number>();
    let handle: bigint | undefined;
    const deadline = Date.now() + timeoutMs;
    while (errnos.size < batch.seqs.length) {
      const d = this.socket.recv(Math.max(0, deadline - Date.now()));
      if (!d) throw new Error(`nf_tables: no acknowledgement within ${timeoutMs} ms`);
      for (const m of decodeMessages(d)) {
        if (m.type === NLMSG_ERROR) {
          const e = decodeErrorMessage(m);
          if (batch.seqs.includes(e.request.seq) && !errnos.has(e.request.seq)) errnos.set(e.request.seq, e.errno);
        } else if (m.type === ((10 << 8) | N.NFT_MSG_NEWRULE)) {
          handle = N.decodeRule(m).handle;
        }
      }
    }
    return { errnos: batch.seqs.map((s) => errnos.get(s)!), ...(handle === undefined ? {} : { handle }) };
  }

  close(): void {
    this.socket.close();
  }
}
