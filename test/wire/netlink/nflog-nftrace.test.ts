import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../../wire/hex.js";
import { decodeMessages } from "../../../wire/netlink/message.js";
import * as nflog from "../../../wire/netlink/nflog.js";
import * as nft from "../../../wire/netlink/nftables.js";
import { decodeTrace, decodeTraceBrief, isTraceMessage } from "../../../wire/netlink/nftrace.js";
import * as G from "./golden-bytes.js";

describe("nfnetlink_log", () => {
  it("builds the bind + copy-packet config messages the kernel ACKed", () => {
    expect(nflog.nflogBindMessages(5, 100).map(toHex)).toEqual(G.NFLOG_BIND_GROUP_5);
  });

  it("decodes a logged packet: prefix, hook, outdev, payload", () => {
    const [m] = decodeMessages(fromHex(G.NFLOG_PACKET_GROUP_5));
    const p = nflog.decodeNflogPacket(m!);
    expect(p).toMatchObject({
      family: 2,
      group: 5,
      hwProtocol: 0x0800,
      hook: nft.NF_INET_LOCAL_OUT,
      prefix: "pfx",
      outdev: 1,
      uid: 0,
      gid: 0,
    });
    expect(p.indev).toBeUndefined();
    expect(p.payload!.length).toBe(33);
    expect(new TextDecoder().decode(p.payload!.subarray(28))).toBe("hello");
  });

  it("rejects a packet message without NFULA_PACKET_HDR", () => {
    const bytes = fromHex(G.NFLOG_PACKET_GROUP_5);
    bytes[22] = 0x63; // NFULA_PACKET_HDR -> type 99
    expect(() => nflog.decodeNflogPacket(decodeMessages(bytes)[0]!)).toThrow(
      "NFULNL_MSG_PACKET at offset 0: missing attribute NFULA_PACKET_HDR (type 1)",
    );
  });
});

describe("NFT_MSG_TRACE", () => {
  const events = G.KERNEL_TRACE_EVENTS.map((h) => decodeMessages(fromHex(h))[0]!);

  it("decodes the rule, policy and verdict events of one packet", () => {
    expect(events.every(isTraceMessage)).toBe(true);
    const [first, second, policy, drop] = events.map(decodeTrace);
    expect(first).toMatchObject({
      family: 2,
      type: nft.NFT_TRACETYPE_RULE,
      table: "tr",
      chain: "pre",
      ruleHandle: 3n,
      verdict: { code: nft.NFT_CONTINUE },
      nfproto: 2,
      oif: 1,
      oifType: 772,
    });
    expect(first!.networkHeader!.length).toBe(20);
    expect(first!.networkHeader![9]).toBe(17);
    expect(toHex(first!.transportHeader!.subarray(8))).toBe(toHex(new TextEncoder().encode("hello")));
    expect(second).toMatchObject({ type: nft.NFT_TRACETYPE_RULE, chain: "pre", verdict: { code: nft.NFT_CONTINUE } });
    expect(second!.ruleHandle).toBeUndefined();
    expect(policy).toMatchObject({ type: nft.NFT_TRACETYPE_POLICY, chain: "pre", policy: nft.NF_ACCEPT });
    expect(drop).toMatchObject({
      type: nft.NFT_TRACETYPE_RULE,
      chain: "post",
      ruleHandle: 4n,
      verdict: { code: nft.NF_DROP },
    });
    expect(new Set(events.map((m) => decodeTrace(m).id)).size).toBe(1);
  });

  it("decodeTraceBrief reads the fields a traversal needs exactly as decodeTrace", () => {
    for (const m of events) {
      const { type, id, table, chain, verdict, policy, networkHeader, transportHeader } = decodeTrace(m);
      const brief = decodeTraceBrief(m);
      expect({
        ...brief,
        networkHeader: brief.networkHeader && toHex(brief.networkHeader),
        transportHeader: brief.transportHeader && toHex(brief.transportHeader),
      }).toEqual(
        JSON.parse(
          JSON.stringify({
            type,
            id,
            table,
            chain,
            verdict,
            policy,
            networkHeader: networkHeader && toHex(networkHeader),
            transportHeader: transportHeader && toHex(transportHeader),
          }),
        ),
      );
    }
    const bytes = fromHex(G.KERNEL_TRACE_EVENTS[1]!);
    bytes[60] = 0x0e;
    expect(() => decodeTraceBrief(decodeMessages(bytes)[0]!)).toThrow(/nlattr at offset 60: nla_len 14 overruns/);
  });

  it("rejects a trace whose verdict is truncated, naming the offset", () => {
    const bytes = fromHex(G.KERNEL_TRACE_EVENTS[1]!);
    bytes[60] = 0x0e; // NFTA_TRACE_VERDICT's nla_len 12 -> 14: overruns the message
    expect(() => decodeTrace(decodeMessages(bytes)[0]!)).toThrow(
      /nlattr at offset 60: nla_len 14 overruns its container/,
    );
  });
});
