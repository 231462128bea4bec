import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../../wire/hex.js";
import { attrBe32 } from "../../../wire/netlink/attributes.js";
import { NetlinkDecodeError } from "../../../wire/netlink/errors.js";
import {
  NLM_F_ACK,
  NLM_F_REQUEST,
  decodeErrorMessage,
  decodeMessages,
  encodeErrorMessage,
  encodeMessage,
} from "../../../wire/netlink/message.js";
import {
  NFNL_MSG_BATCH_BEGIN,
  NFNL_MSG_BATCH_END,
  NFNL_SUBSYS_CTNETLINK_TIMEOUT,
  NFNL_SUBSYS_NFTABLES,
  decodeBatchReplies,
  decodeNfnlMessage,
  encodeBatch,
  encodeNfnlMessage,
  nfnlMessageType,
  summarizeBatch,
} from "../../../wire/netlink/nfnetlink.js";
import * as G from "./golden-bytes.js";

describe("nfnetlink framing", () => {
  it("builds type = subsys << 8 | msg and a big-endian res_id", () => {
    expect(nfnlMessageType(NFNL_SUBSYS_CTNETLINK_TIMEOUT, 1)).toBe(0x0801);
    const bytes = encodeNfnlMessage({
      subsys: 0,
      msg: NFNL_MSG_BATCH_BEGIN,
      seq: 0,
      family: 0,
      resId: NFNL_SUBSYS_NFTABLES,
    });
    expect(toHex(bytes)).toBe("140000001000010000000000000000000000000a");
  });

  it("round-trips nfgenmsg and attributes", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.array(fc.nat({ max: 0xffffffff }), { maxLength: 5 }),
        (subsys, msg, family, resId, values) => {
          const bytes = encodeNfnlMessage({
            subsys,
            msg,
            seq: 9,
            family,
            resId,
            flags: NLM_F_ACK,
            attributes: values.map((v, i) => attrBe32(i + 1, v)),
          });
          const nf = decodeNfnlMessage(decodeMessages(bytes)[0]!);
          expect(nf).toMatchObject({
            subsys,
            msg,
            seq: 9,
            flags: NLM_F_ACK | NLM_F_REQUEST,
            header: { family, version: 0, resId },
          });
          expect(nf.attributes.map((a) => a.type)).toEqual(values.map((_, i) => i + 1));
          expect(nf.attributes.map((a) => a.offset)).toEqual(values.map((_, i) => 20 + 8 * i));
        },
      ),
    );
  });

  it("rejects a payload too short for nfgenmsg, at the payload offset", () => {
    const bytes = encodeMessage({ type: 0x0a00, flags: 1, seq: 0, pid: 0, payload: Uint8Array.of(2, 0) });
    expect(() => decodeNfnlMessage(decodeMessages(bytes)[0]!)).toThrow(
      new NetlinkDecodeError("nfgenmsg", 16, "payload of 2 bytes is shorter than the 4-byte nfgenmsg"),
    );
  });

  it("numbers batch messages consecutively, BEGIN/END with res_id NFTABLES", () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xfffffff0 }), fc.integer({ min: 0, max: 6 }), fc.boolean(), (firstSeq, n, ack) => {
        const entries = Array.from({ length: n }, () => ({ msg: 0, family: 2, attributes: [] }));
        const b = encodeBatch(entries, { firstSeq, ack });
        const msgs = decodeMessages(b.bytes);
        expect(msgs.map((m) => m.seq)).toEqual(Array.from({ length: n + 2 }, (_, i) => firstSeq + i));
        expect(b.seqs).toEqual(msgs.slice(1, -1).map((m) => m.seq));
        expect([msgs[0]!.type, msgs.at(-1)!.type]).toEqual([NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END]);
        expect(decodeNfnlMessage(msgs[0]!).header.resId).toBe(NFNL_SUBSYS_NFTABLES);
        for (const m of msgs.slice(1, -1)) expect((m.flags & NLM_F_ACK) !== 0).toBe(ack);
      }),
    );
  });
});

describe("batch replies", () => {
  it("reads the kernel's capped ACKs for an acked batch", () => {
    const results = decodeBatchReplies(G.KERNEL_ACKS_FOR_CHECKSUM_BATCH.map((h) => fromHex(h)));
    expect(results).toEqual([
      { seq: 2, errno: 0 },
      { seq: 3, errno: 0 },
      { seq: 4, errno: 0 },
    ]);
    expect(summarizeBatch({ seqs: [2, 3, 4] }, results)).toEqual({ perEntry: results, committed: true });
  });

  it("reads an uncapped ENOENT carrying the whole NEWRULE (CT --timeout of a missing policy)", () => {
    const [m] = decodeMessages(fromHex(G.IPTABLES_CT_TIMEOUT_ENOENT_REPLY));
    const e = decodeErrorMessage(m!);
    expect(e).toMatchObject({ errno: 2, capped: false, request: { seq: 4, type: 0x0a06, length: 304 } });
    // The echoed request is the NEWRULE iptables-nft sent, byte for byte.
    const sent = decodeMessages(fromHex(G.IPTABLES_CT_TIMEOUT_BATCH))[3]!;
    expect(toHex(e.requestPayload)).toBe(toHex(sent.payload));
    const results = decodeBatchReplies([fromHex(G.IPTABLES_CT_TIMEOUT_ENOENT_REPLY)]);
    expect(summarizeBatch({ seqs: [2, 3, 4] }, results)).toEqual({
      perEntry: [
        { seq: 2, errno: 0 },
        { seq: 3, errno: 0 },
        { seq: 4, errno: 2 },
      ],
      committed: false,
    });
  });

  it("round-trips errors built for a model IUT", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ seq: fc.nat({ max: 0xffffffff }), errno: fc.integer({ min: 0, max: 133 }) }), {
          maxLength: 5,
        }),
        fc.boolean(),
        (rs, capAck) => {
          const datagram = new Uint8Array(
            rs.flatMap((r) =>
              Array.from(
                encodeErrorMessage(
                  { type: 0x0a00, flags: 5, seq: r.seq, pid: 0, payload: new Uint8Array(8) },
                  r.errno,
                  { capAck },
                ),
              ),
            ),
          );
          expect(decodeBatchReplies([datagram])).toEqual(rs);
        },
      ),
    );
  });
});
