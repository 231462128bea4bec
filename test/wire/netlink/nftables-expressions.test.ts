import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeAttributes } from "../../../wire/netlink/attributes.js";
import { NetlinkDecodeError } from "../../../wire/netlink/errors.js";
import { decodeMessages } from "../../../wire/netlink/message.js";
import { encodeBatch } from "../../../wire/netlink/nfnetlink.js";
import * as nft from "../../../wire/netlink/nftables.js";
import type { Expression } from "../../../wire/netlink/nftables.js";

const u32 = fc.nat({ max: 0xffffffff });
const reg = fc.integer({ min: 0, max: 23 });
const bytes = fc.uint8Array({ minLength: 1, maxLength: 16 });
const name = fc.string({
  unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-"),
  minLength: 1,
  maxLength: 28,
});
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const verdict = fc.oneof(
  fc.record({ code: fc.constantFrom(nft.NF_ACCEPT, nft.NF_DROP, nft.NFT_CONTINUE, nft.NFT_RETURN, nft.NFT_BREAK) }),
  fc.record({ code: fc.constantFrom(nft.NFT_JUMP, nft.NFT_GOTO), chain: name }),
);

const arbExpression: fc.Arbitrary<Expression> = fc.oneof(
  fc.record({ kind: fc.constant("counter" as const), packets: u64, bytes: u64 }),
  fc.record({ kind: fc.constant("meta" as const), key: u32, dreg: reg }),
  fc.record({ kind: fc.constant("meta-set" as const), key: u32, sreg: reg }),
  fc.record({ kind: fc.constant("ct" as const), key: u32, dreg: reg }),
  fc.record({
    kind: fc.constant("payload" as const),
    base: fc.integer({ min: 0, max: 3 }),
    offset: u32,
    len: u32,
    dreg: reg,
  }),
  fc.record({ kind: fc.constant("cmp" as const), sreg: reg, op: fc.integer({ min: 0, max: 5 }), data: bytes }),
  fc.record({
    kind: fc.constant("immediate" as const),
    dreg: reg,
    data: fc.oneof(fc.record({ value: bytes }), fc.record({ verdict })),
  }),
  fc.record({ kind: fc.constant("bitwise" as const), sreg: reg, dreg: reg, len: u32, mask: bytes, xor: bytes }),
  fc.record(
    {
      kind: fc.constant("log" as const),
      group: fc.integer({ min: 0, max: 0xffff }),
      prefix: name,
      snaplen: u32,
      qthreshold: fc.integer({ min: 0, max: 0xffff }),
      level: u32,
      flags: u32,
    },
    { requiredKeys: ["kind"] },
  ),
  fc.record({
    kind: fc.constantFrom("match" as const, "target" as const),
    name,
    rev: u32,
    info: fc.uint8Array({ maxLength: 64 }),
  }),
);

describe("expression codec", () => {
  it("round-trips rules with any expressions through NEWRULE", () => {
    fc.assert(
      fc.property(
        fc.array(arbExpression, { maxLength: 6 }),
        fc.option(
          fc.record({ proto: fc.integer({ min: 0, max: 255 }), flags: fc.constantFrom(0, nft.NFT_RULE_COMPAT_F_INV) }),
          { nil: undefined },
        ),
        (expressions, compat) => {
          const spec = { family: 2, table: "t", chain: "c", expressions, ...(compat ? { compat } : {}) };
          const batch = encodeBatch([nft.newRule(spec)], { firstSeq: 1 });
          const rule = nft.decodeRule(decodeMessages(batch.bytes)[1]!);
          expect(rule).toEqual(spec);
        },
      ),
    );
  });

  it("rejects a list element that is not NFTA_LIST_ELEM, naming its offset", () => {
    const [list] = decodeAttributes(nft.encodeExpressions([{ kind: "counter" }]), 40);
    const bad = { ...list!, value: list!.value.slice() };
    bad.value[2] = 7; // element type
    expect(() => nft.decodeExpressions(bad)).toThrow(
      /NFTA_RULE_EXPRESSIONS at offset 44: element type 7 is not NFTA_LIST_ELEM/,
    );
  });

  it("rejects a truncated expression with the offset of the bad attribute", () => {
    const msg = decodeMessages(
      encodeBatch(
        [nft.newRule({ family: 2, table: "t", chain: "c", expressions: [{ kind: "meta", key: 16, dreg: 1 }] })],
        { firstSeq: 1 },
      ).bytes,
    )[1]!;
    // shrink NFTA_META_KEY's value to 2 bytes by rewriting its nla_len from 8 to 6
    const payload = msg.payload.slice();
    const at = payload.findIndex(
      (_, i) => payload[i] === 8 && payload[i + 1] === 0 && payload[i + 2] === 2 && payload[i + 3] === 0,
    );
    payload[at] = 6;
    try {
      nft.decodeRule({ ...msg, payload });
      throw new Error("no error");
    } catch (e) {
      expect(e).toBeInstanceOf(NetlinkDecodeError);
      const where = msg.offset! + 16 + at; // offset in the whole batch buffer
      expect((e as NetlinkDecodeError).offset).toBe(where);
      expect((e as Error).message).toBe(`NFTA_META_KEY at offset ${where}: value is 2 bytes, expected 4`);
    }
  });

  it("keeps unknown expressions as raw attributes", () => {
    const e: Expression = { kind: "other", name: "limit", attributes: [] };
    const [elem] = decodeAttributes(nft.encodeExpression(e));
    expect(nft.decodeExpression(elem!)).toEqual(e);
  });
});
