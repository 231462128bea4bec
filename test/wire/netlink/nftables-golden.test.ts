// Builders against bytes the real tools sent (see golden-bytes.ts for provenance).
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../../wire/hex.js";
import { decodeMessages } from "../../../wire/netlink/message.js";
import {
  NFPROTO_INET,
  NFPROTO_IPV4,
  NFPROTO_NETDEV,
  decodeNfnlMessage,
  encodeBatch,
  type BatchEntry,
} from "../../../wire/netlink/nfnetlink.js";
import * as nft from "../../../wire/netlink/nftables.js";
import type { Expression } from "../../../wire/netlink/nftables.js";
import * as G from "./golden-bytes.js";

const udpCounted: Expression[] = [
  { kind: "meta", key: nft.NFT_META_L4PROTO, dreg: nft.NFT_REG_1 },
  { kind: "cmp", sreg: nft.NFT_REG_1, op: nft.NFT_CMP_EQ, data: Uint8Array.of(17) },
  { kind: "counter", packets: 0n, bytes: 0n },
];

/** Per message: type, flags, seq and the top-level attributes sorted by type (nft and libnftnl order chain attributes differently). */
function canonical(bytes: Uint8Array): string[] {
  return decodeMessages(bytes).map((m) => {
    const nf = decodeNfnlMessage(m);
    const attrs = nf.attributes.map((a) => `${a.type}${a.nested ? "n" : ""}=${toHex(a.value)}`).sort();
    return `${m.type}/${m.flags}/${m.seq}/${nf.header.family}/${nf.header.resId}: ${attrs.join(" ")}`;
  });
}

describe("golden batches from iptables-nft 1.8.9", () => {
  it("CHECKSUM --checksum-fill in mangle POSTROUTING is byte-identical", () => {
    const batch = encodeBatch(
      [
        nft.newTable({ family: NFPROTO_IPV4, name: "mangle" }),
        nft.newChain({
          family: NFPROTO_IPV4,
          table: "mangle",
          name: "POSTROUTING",
          hook: { hooknum: nft.NF_INET_POST_ROUTING, priority: -150 },
          policy: nft.NF_ACCEPT,
          type: "filter",
        }),
        nft.newRule({
          family: NFPROTO_IPV4,
          table: "mangle",
          chain: "POSTROUTING",
          expressions: [
            ...udpCounted,
            { kind: "target", name: "CHECKSUM", rev: 0, info: nft.checksumTargetInfo(nft.XT_CHECKSUM_OP_FILL) },
          ],
          compat: { proto: 17, flags: 0 },
        }),
      ],
      { firstSeq: 1, genId: 1 },
    );
    expect(toHex(batch.bytes)).toBe(G.IPTABLES_CHECKSUM_BATCH);
    expect(batch).toMatchObject({ beginSeq: 1, seqs: [2, 3, 4], endSeq: 5 });
  });

  it("CT --timeout foo in raw PREROUTING is byte-identical (xt_ct_target_info_v1, rev 2)", () => {
    const batch = encodeBatch(
      [
        nft.newTable({ family: NFPROTO_IPV4, name: "raw" }),
        nft.newChain({
          family: NFPROTO_IPV4,
          table: "raw",
          name: "PREROUTING",
          hook: { hooknum: nft.NF_INET_PRE_ROUTING, priority: -300 },
          policy: nft.NF_ACCEPT,
          type: "filter",
        }),
        nft.newRule({
          family: NFPROTO_IPV4,
          table: "raw",
          chain: "PREROUTING",
          expressions: [
            ...udpCounted,
            { kind: "target", name: "CT", rev: 2, info: nft.ctTargetInfoV1({ timeout: "foo" }) },
          ],
          compat: { proto: 17, flags: 0 },
        }),
      ],
      { firstSeq: 1, genId: 1 },
    );
    expect(toHex(batch.bytes)).toBe(G.IPTABLES_CT_TIMEOUT_BATCH);
  });

  it("-m bpf --bytecode (rev 1) in filter INPUT is byte-identical", () => {
    const program = nft.parseBpfBytecode("4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0");
    const batch = encodeBatch(
      [
        nft.newTable({ family: NFPROTO_IPV4, name: "filter" }),
        nft.newChain({
          family: NFPROTO_IPV4,
          table: "filter",
          name: "INPUT",
          hook: { hooknum: nft.NF_INET_LOCAL_IN, priority: 0 },
          policy: nft.NF_ACCEPT,
          type: "filter",
        }),
        nft.newRule({
          family: NFPROTO_IPV4,
          table: "filter",
          chain: "INPUT",
          expressions: [
            { kind: "match", name: "bpf", rev: 1, info: nft.bpfMatchInfoV1Bytecode(program) },
            { kind: "counter", packets: 0n, bytes: 0n },
            nft.accept(),
          ],
          compat: { proto: 0, flags: 0 }, // iptables-nft sends it even without -p
        }),
      ],
      { firstSeq: 1, genId: 1 },
    );
    expect(toHex(batch.bytes)).toBe(G.IPTABLES_BPF_V1_BATCH);
  });

  it("decodes the iptables rules back to what was built", () => {
    const rule = nft.decodeRule(decodeMessages(fromHex(G.IPTABLES_CT_TIMEOUT_BATCH))[3]!);
    expect(rule).toMatchObject({
      family: NFPROTO_IPV4,
      table: "raw",
      chain: "PREROUTING",
      compat: { proto: 17, flags: 0 },
    });
    const target = rule.expressions[3];
    expect(target).toMatchObject({ kind: "target", name: "CT", rev: 2 });
    expect(nft.decodeCtTargetInfoV1((target as Extract<Expression, { kind: "target" }>).info).timeout).toBe("foo");
  });
});

describe("golden batches from nft 1.0.6", () => {
  it("inet table and base chain (input, priority 10, policy drop)", () => {
    const batch = encodeBatch(
      [
        { ...nft.newTable({ family: NFPROTO_INET, name: "t", flags: 0 }), flags: 0 },
        nft.newChain({
          family: NFPROTO_INET,
          table: "t",
          name: "c",
          hook: { hooknum: nft.NF_INET_LOCAL_IN, priority: 10 },
          policy: nft.NF_DROP,
          type: "filter",
        }),
      ],
      { firstSeq: 0 },
    );
    // nft puts TYPE and POLICY before HOOK; compare attribute sets, and the table byte for byte.
    expect(canonical(batch.bytes)).toEqual(canonical(fromHex(G.NFT_INET_TABLE_AND_BASE_CHAIN_BATCH)));
    expect(toHex(batch.bytes.subarray(0, 56))).toBe(G.NFT_INET_TABLE_AND_BASE_CHAIN_BATCH.slice(0, 112));
  });

  it("netdev ingress chain with a device, nftrace/log/payload rules", () => {
    const nd = { family: NFPROTO_NETDEV, table: "nd", chain: "ing" };
    const entries: BatchEntry[] = [
      { ...nft.newTable({ family: NFPROTO_NETDEV, name: "nd", flags: 0 }), flags: 0 },
      nft.newChain({
        family: NFPROTO_NETDEV,
        table: "nd",
        name: "ing",
        hook: { hooknum: nft.NF_NETDEV_INGRESS, priority: -10, device: "lo" },
        policy: nft.NF_ACCEPT,
        type: "filter",
      }),
      nft.newRule({
        ...nd,
        expressions: [
          { kind: "immediate", dreg: nft.NFT_REG_1, data: { value: Uint8Array.of(1) } },
          { kind: "meta-set", key: nft.NFT_META_NFTRACE, sreg: nft.NFT_REG_1 },
        ],
      }),
      nft.newRule({ ...nd, expressions: [{ kind: "log", prefix: "pfx", group: 5 }] }),
      nft.newRule({
        ...nd,
        expressions: [
          { kind: "meta", key: nft.NFT_META_L4PROTO, dreg: nft.NFT_REG_1 },
          { kind: "cmp", sreg: nft.NFT_REG_1, op: nft.NFT_CMP_EQ, data: Uint8Array.of(17) },
          { kind: "payload", base: nft.NFT_PAYLOAD_TRANSPORT_HEADER, offset: 2, len: 2, dreg: nft.NFT_REG_1 },
          { kind: "cmp", sreg: nft.NFT_REG_1, op: nft.NFT_CMP_EQ, data: Uint8Array.of(0, 53) },
          nft.accept(),
        ],
      }),
    ];
    const batch = encodeBatch(entries, { firstSeq: 0 });
    expect(canonical(batch.bytes)).toEqual(canonical(fromHex(G.NFT_NETDEV_BATCH)));
    // Rules (attribute order equal to nft's) match byte for byte.
    const ours = decodeMessages(batch.bytes);
    const theirs = decodeMessages(fromHex(G.NFT_NETDEV_BATCH));
    for (const i of [3, 4, 5]) expect(toHex(ours[i]!.payload)).toBe(toHex(theirs[i]!.payload));
    expect(nft.decodeChain(theirs[2]!).hook).toEqual({ hooknum: 0, priority: -10, device: "lo" });
  });

  it("deleting a rule by handle, a chain and a table is byte-identical", () => {
    const batch = encodeBatch(
      [
        nft.deleteRule(NFPROTO_NETDEV, "nd", "ing", 3n),
        nft.deleteChain(NFPROTO_NETDEV, "nd", "ing"),
        nft.deleteTable(NFPROTO_NETDEV, "nd"),
      ],
      { firstSeq: 0 },
    );
    expect(toHex(batch.bytes)).toBe(G.NFT_DELETE_BATCH);
  });
});

describe("kernel dump replies (nft list ruleset after the CHECKSUM rule)", () => {
  const msgs = G.KERNEL_DUMP_AFTER_CHECKSUM.flatMap((d) => decodeMessages(fromHex(d)));
  const of = (msgType: number) => msgs.filter((m) => m.type === ((10 << 8) | msgType));

  it("decodes NEWGEN", () => {
    expect(nft.decodeGeneration(of(nft.NFT_MSG_NEWGEN)[0]!)).toMatchObject({ id: 2, processName: "nft" });
  });

  it("decodes NEWTABLE with use and handle", () => {
    expect(nft.decodeTable(of(nft.NFT_MSG_NEWTABLE)[0]!)).toEqual({
      family: NFPROTO_IPV4,
      name: "mangle",
      flags: 0,
      use: 1,
      handle: 1n,
    });
  });

  it("decodes NEWCHAIN (nested hook without NLA_F_NESTED)", () => {
    expect(nft.decodeChain(of(nft.NFT_MSG_NEWCHAIN)[0]!)).toEqual({
      family: NFPROTO_IPV4,
      table: "mangle",
      name: "POSTROUTING",
      handle: 1n,
      hook: { hooknum: nft.NF_INET_POST_ROUTING, priority: -150 },
      policy: nft.NF_ACCEPT,
      type: "filter",
      flags: nft.NFT_CHAIN_BASE,
      use: 1,
    });
  });

  it("decodes NEWRULE with its expressions", () => {
    const rule = nft.decodeRule(of(nft.NFT_MSG_NEWRULE)[0]!);
    expect(rule).toEqual({
      family: NFPROTO_IPV4,
      table: "mangle",
      chain: "POSTROUTING",
      handle: 2n,
      expressions: [...udpCounted, { kind: "target", name: "CHECKSUM", rev: 0, info: nft.checksumTargetInfo() }],
    });
  });
});
