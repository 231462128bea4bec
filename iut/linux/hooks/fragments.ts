// hooks.fragments on the kernel. Each case gets a namespace of its own (the
// frag6 area's case network: veth0/veth1, the packets' destinations local, no
// conntrack), in which:
//  - a chain is a base chain of table ip6 nfconform_defrag at prerouting with
//    the case's priority, whose rules log the case's packets to an nflog group
//    with the chain's name as prefix (nft_log, nfnetlink_log);
//  - a defrag user is a rule with a ct expression in a chain of no hook:
//    nft_ct_get_init() calls nf_ct_netns_get(), which enables nf_defrag_ipv6
//    (ipv6_defrag at -400) and conntrack's hooks, as frag6's conntrack path does.
// In nft's words (stepsRuleset() writes it, for the reader and the tests):
//   add chain ip6 nfconform_defrag C { type filter hook prerouting priority P; policy accept; }
//   add rule ip6 nfconform_defrag C iifname "veth0" ip6 saddr S log prefix "C" group 4015   (one a source)
//   add rule ip6 nfconform_defrag nfconform_ct_user ct state new counter                   (one a user)
// The steps go as one nf_tables transaction, sent as netlink messages
// (stepsBatch(); forking nft for it cost a Node fork and nft's start a case),
// in order: base chains are hooked and ct expressions initialised as each
// message of the batch is processed (nf_tables_addchain(), nf_tables_newrule()),
// so list order at -400 follows step order. Then the packets are injected on
// veth1 one at a time; veth0's receive softirq runs each through PRE_ROUTING
// before sendto() returns (injector.ts), and nfnetlink_log, with a queue
// threshold of 1, has sent one message per chain that saw it, in the order
// the chains ran. A rule a source (rather than nft's anonymous set of them)
// logs the same: a packet has one source, so one rule of a chain matches it.
import type { NetlinkSocket } from "../../../sys/netlink-socket.js";
import { toHex } from "../../../wire/hex.js";
import { decodeMessages } from "../../../wire/netlink/message.js";
import { decodeNflogPacket } from "../../../wire/netlink/nflog.js";
import type { DefragStep } from "../../../model/defrag/prerouting.js";
import type { FragmentsReply } from "../../ops/hooks-fragments.js";
import { formatIPv6, parseIPv6 } from "../../../sys/inet-addr.js";
import * as N from "../../../wire/netlink/nftables.js";
import { NFPROTO_IPV6, type BatchEntry } from "../../../wire/netlink/nfnetlink.js";
import { CaseNamespace } from "../frag6/case-network.js";
import { NftSession } from "../nft-session.js";
import { FragmentInjector, LARGEST_PACKET } from "../frag6/injector.js";
import { openNflogSocket } from "../nflog-socket.js";
import { decline } from "./decline.js";

const OP = "hooks.fragments";
const TABLE = "nfconform_defrag";
const GROUP = 4015;
/** Room for every message of a case: a 64 KiB packet logged by every chain of it. */
const NFLOG_RCVBUF = 32 << 20;
/** What the socket asks for; nfnetlink_log copies at most NFULNL_COPY_RANGE_MAX (0xffff - NLA_HDRLEN) bytes. */
const COPY_RANGE = 0xffff;

/** nft identifiers: a chain name must be one, and a log prefix carries it back. */
const CHAIN_NAME = /^[A-Za-z][A-Za-z0-9_]{0,30}$/;

/** What the kernel cannot be asked, or could not show: declined with why. */
function problem(steps: readonly DefragStep[], packets: readonly Uint8Array[]): string | null {
  for (const s of steps)
    if ("chain" in s && !CHAIN_NAME.test(s.chain))
      return `chain name "${s.chain}" is not an nft identifier of at most 31 characters`;
  for (const [i, p] of packets.entries()) {
    if (p.length > LARGEST_PACKET)
      return `packet ${i} is ${p.length} bytes, more than veth carries (${LARGEST_PACKET})`;
    const src = p.subarray(8, 24);
    if (packets.some((q) => Buffer.compare(q.subarray(24, 40), src) === 0))
      return `packet ${i}'s source is also a destination, which the case makes a local address`;
  }
  return null;
}

/** The steps as flat nft commands, in order; each chain logs only the case's own packets. */
export function stepsRuleset(steps: readonly DefragStep[], sources: readonly string[]): string {
  const lines = [`add table ip6 ${TABLE}`];
  let users = 0;
  for (const s of steps) {
    if ("chain" in s) {
      lines.push(
        `add chain ip6 ${TABLE} ${s.chain} { type filter hook prerouting priority ${s.priority}; policy accept; }`,
        ...sources.map(
          (source) =>
            `add rule ip6 ${TABLE} ${s.chain} iifname "veth0" ip6 saddr ${source} log prefix "${s.chain}" group ${GROUP}`,
        ),
      );
    } else {
      if (users === 0) lines.push(`add chain ip6 ${TABLE} ${CT_USER_CHAIN}`);
      lines.push(`add rule ip6 ${TABLE} ${CT_USER_CHAIN} ct state new counter`);
      users++;
    }
  }
  return `${lines.join("\n")}\n`;
}

const CT_USER_CHAIN = "nfconform_ct_user";
/** IFNAMSIZ: meta iifname loads the name NUL padded to 16 bytes. */
const IFNAMSIZ = 16;
/** `iifname "veth0" ip6 saddr SOURCE log prefix "CHAIN" group GROUP`, as nft encodes it, a cmp in place of its set lookup. */
function logRule(chain: string, source: string): N.Expression[] {
  const iifname = new Uint8Array(IFNAMSIZ);
  iifname.set(new TextEncoder().encode("veth0"));
  return [
    { kind: "meta", key: N.NFT_META_IIFNAME, dreg: N.NFT_REG_1 },
    { kind: "cmp", sreg: N.NFT_REG_1, op: N.NFT_CMP_EQ, data: iifname },
    { kind: "payload", base: N.NFT_PAYLOAD_NETWORK_HEADER, offset: 8, len: 16, dreg: N.NFT_REG_1 },
    { kind: "cmp", sreg: N.NFT_REG_1, op: N.NFT_CMP_EQ, data: parseIPv6(source) },
    { kind: "log", prefix: chain, group: GROUP },
  ];
}

/** `ct state new counter`, as nft encodes it. */
const CT_USER_RULE: N.Expression[] = [...N.ctStateNew(), { kind: "counter" }];

/** stepsRuleset() as one nf_tables batch. */
export function stepsBatch(steps: readonly DefragStep[], sources: readonly string[]): BatchEntry[] {
  const family = NFPROTO_IPV6;
  const rule = (chain: string, expressions: N.Expression[]) => N.newRule({ family, table: TABLE, chain, expressions });
  const entries = [N.newTable({ family, name: TABLE })];
  let users = 0;
  for (const s of steps) {
    if ("chain" in s) {
      entries.push(
        N.newChain({
          family,
          table: TABLE,
          name: s.chain,
          type: "filter",
          hook: { hooknum: N.NF_INET_PRE_ROUTING, priority: s.priority },
          policy: N.NF_ACCEPT,
        }),
        ...sources.map((source) => rule(s.chain, logRule(s.chain, source))),
      );
    } else {
      if (users === 0) entries.push(N.newChain({ family, table: TABLE, name: CT_USER_CHAIN }));
      entries.push(rule(CT_USER_CHAIN, CT_USER_RULE));
      users++;
    }
  }
  return entries;
}

/** Commits the steps' batch in the calling thread's namespace. */
function applySteps(entries: readonly BatchEntry[]): void {
  const session = new NftSession();
  try {
    const { committed, errnos } = session.apply(entries, { acks: "last" });
    if (!committed) throw new Error(`the defrag ruleset failed with errnos ${errnos.join(", ")}`);
  } finally {
    session.close();
  }
}

/** An nflog socket bound to GROUP with COPY_RANGE bytes of each packet, in the calling thread's namespace. */
function openLog(): NetlinkSocket {
  return openNflogSocket(GROUP, { rcvbuf: NFLOG_RCVBUF, copyRange: COPY_RANGE });
}

/** Every nflog message queued now, in order, as (chain, packet). */
function drain(socket: NetlinkSocket): { chain: string; packet: Uint8Array }[] {
  const out: { chain: string; packet: Uint8Array }[] = [];
  for (let datagram = socket.recv(0); datagram; datagram = socket.recv(0)) {
    for (const m of decodeMessages(datagram)) {
      const p = decodeNflogPacket(m);
      if (p.prefix === undefined || p.payload === undefined)
        throw new Error("nflog: a message without prefix or payload");
      out.push({ chain: p.prefix, packet: p.payload });
    }
  }
  return out;
}

export async function runFragments(
  steps: readonly DefragStep[],
  packets: readonly Uint8Array[],
): Promise<FragmentsReply> {
  const why = problem(steps, packets);
  if (why) throw decline(OP, why);
  const distinct = (at: number) => [...new Set(packets.map((p) => formatIPv6(p.subarray(at, at + 16))))];
  const locals = [...new Map(packets.map((p) => [formatIPv6(p.subarray(24, 40)), p.slice(24, 40)])).values()];
  const ns = await CaseNamespace.create("plain", locals);
  try {
    const { log, injector } = ns.within(() => {
      applySteps(stepsBatch(steps, distinct(8)));
      return { log: openLog(), injector: new FragmentInjector() };
    });
    try {
      const seen: FragmentsReply["seen"] = [];
      for (const [event, packet] of packets.entries()) {
        ns.within(() => injector.inject(packet));
        for (const s of drain(log)) {
          // nflog copies at most NFULNL_COPY_RANGE_MAX (0xffff - NLA_HDRLEN) bytes: a longer packet comes back cut.
          if (s.packet.length < 40 + ((s.packet[4]! << 8) | s.packet[5]!))
            throw decline(
              OP,
              `packet ${event}: ${s.chain} saw a packet longer than nflog copies (${s.packet.length} bytes)`,
            );
          seen.push({ event, chain: s.chain, packet: toHex(s.packet) });
        }
      }
      return { seen };
    } finally {
      log.close();
      injector.close();
    }
  } finally {
    ns.close();
  }
}
