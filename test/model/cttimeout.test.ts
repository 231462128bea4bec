// The cttimeout model against bytes the kernel sent (6.18, HZ 250, a fresh
// namespace, a CAP_ACK socket; nlmsg_pid zeroed), and its rules one by one.
import { describe, expect, it } from "vitest";
import { EBUSY, EEXIST, EINVAL, ENAMETOOLONG, ENOENT, EOPNOTSUPP, ERANGE } from "../../sys/errno.js";
import { freshNamespace, type CttimeoutNamespace } from "../../model/cttimeout/namespace.js";
import { storedSeconds } from "../../model/cttimeout/protocols.js";
import { receive } from "../../model/cttimeout/receive.js";
import { cttimeoutRules } from "../../model/cttimeout/rules.js";
import { attach, detach } from "../../model/cttimeout/users.js";
import { attrBe16, attrBe32, attrU8, nlattr } from "../../wire/netlink/attributes.js";
import {
  CTA_TIMEOUT_DATA,
  CTA_TIMEOUT_L3PROTO,
  CTA_TIMEOUT_L4PROTO,
  dataAttribute,
  decodePolicyMessage,
  encodeCttimeoutRequest,
  nameAttribute,
  zeroPids,
} from "../../wire/netlink/cttimeout.js";
import { decodeErrorMessage, decodeMessages } from "../../wire/netlink/message.js";
import { fromHex, toHex } from "../../wire/hex.js";

const RULES = cttimeoutRules("linux");
const R = 1;
const ACK = 4;
const name = (s: string) => nameAttribute(new TextEncoder().encode(s));
const l3 = (v: number) => attrBe16(CTA_TIMEOUT_L3PROTO, v);
const l4 = (v: number) => attrU8(CTA_TIMEOUT_L4PROTO, v);

class Session {
  ns: CttimeoutNamespace = freshNamespace();
  seq = 100;
  send(msg: number, flags: number, attributes: Uint8Array[]): string[] {
    const r = receive(this.ns, encodeCttimeoutRequest({ msg, flags, seq: this.seq++, attributes }), RULES);
    this.ns = r.ns;
    return r.replies.map(toHex);
  }
  errno(msg: number, flags: number, attributes: Uint8Array[]): number {
    const replies = this.send(msg, flags | ACK, attributes);
    const last = decodeMessages(fromHex(replies[replies.length - 1]!))[0]!;
    return decodeErrorMessage(last).errno;
  }
}

// Captured with the probe in the report (unshare --net; pid 0x79160000 zeroed).
const golden = (hex: string) => toHex(zeroPids(fromHex(hex)));

describe("cttimeout replies, byte for byte as the kernel sent them", () => {
  it("NEW acks, GET answers with NLM_F_MULTI and NLA_F_NESTED DATA, then the ack", () => {
    const s = new Session();
    expect(s.send(0, R | ACK, [name("a"), l3(2), l4(6), dataAttribute([[3, 100]])])).toEqual([
      golden("240000000200000164000000167900000000000038000000000805006400000000000000"),
    ]);
    expect(s.send(1, R | ACK, [name("a")])).toEqual([
      golden(
        "900000000008020065000000167900000000000006000100610000000600020000020000050003000600000008000500000000015c0004800800010000000078080002000000003c08000300000000640800040000000078080005000000003c080006000000001e0800070000000078080008000000000a080009000000007808000a000000012c08000b000000012c",
      ),
      golden("24000000020000016500000016790000000000001c000000010805006500000000000000"),
    ]);
    // A dump never acks, even with NLM_F_ACK; NLMSG_DONE carries NLM_F_MULTI and a 0 status.
    const dump = s.send(1, R | ACK | 0x300, []);
    expect(dump[1]).toBe(golden("1400000003000200660000001679000000000000"));
    expect(dump).toHaveLength(2);
  });

  it("DEFAULT_GET answers with type DEFAULT_SET and the request's L3PROTO; unsupported protocols are EOPNOTSUPP", () => {
    const s = new Session();
    s.seq = 0x6d;
    expect(s.send(4, R, [l3(2), l4(132)])).toEqual([
      golden(
        "70000000030802006d0000001679000000000000060002000002000005000300840000004c000480080001000000000a0800020000000003080003000000000308000400000000d2080005000000000308000600000000030800070000000003080008000000001e0800090000000000",
      ),
    ]);
    s.seq = 0x70;
    expect(s.send(4, R, [l3(2), l4(33)])).toEqual([
      golden("24000000020000017000000016790000a1ffffff24000000040801007000000000000000"),
    ]);
  });

  it("DEFAULT_SET needs no L3PROTO, and a huge value wraps in jiffies (HZ 250)", () => {
    const s = new Session();
    expect(s.errno(3, R, [l4(255), dataAttribute([[1, 700]])])).toBe(0);
    expect(s.errno(3, R, [l3(2), l4(255), dataAttribute([[1, 0xffffffff]])])).toBe(0);
    s.seq = 0x74;
    expect(s.send(4, R, [l3(2), l4(255)])).toEqual([
      golden("3000000003080200740000001679000000000000060002000002000005000300ff0000000c00048008000100010624dc"),
    ]);
    expect(storedSeconds(0xffffffff, 250)).toBe(0x010624dc);
  });
});

describe("nfnetlink's checks come first", () => {
  it("unknown message types are EINVAL; a name of 32 characters is EINVAL, a NUL early in a long one ERANGE", () => {
    const s = new Session();
    expect(s.errno(5, R, [])).toBe(EINVAL);
    expect(s.errno(9, R, [])).toBe(EINVAL);
    expect(s.errno(0, R, [name("x".repeat(32)), l3(2), l4(6), dataAttribute([])])).toBe(EINVAL);
    expect(s.errno(0, R, [name("x".repeat(31)), l3(2), l4(6), dataAttribute([])])).toBe(0);
    const early = nlattr(1, new Uint8Array([0x61, 0x62, 0x63, 0, ...new Array(30).fill(0x41)]));
    expect(s.errno(0, R, [early, l3(2), l4(6), dataAttribute([])])).toBe(ERANGE);
    // Too short integers: ERANGE; a DATA of 1..3 bytes: ERANGE.
    expect(s.errno(0, R, [name("b"), nlattr(CTA_TIMEOUT_L3PROTO, Uint8Array.of(2)), l4(6), dataAttribute([])])).toBe(
      ERANGE,
    );
    expect(s.errno(0, R, [name("b"), l3(2), l4(6), nlattr(CTA_TIMEOUT_DATA, Uint8Array.of(1, 2))])).toBe(ERANGE);
  });

  it("a message without NLM_F_REQUEST or with a payload shorter than nfgenmsg is only acked when asked", () => {
    const s = new Session();
    const bytes = encodeCttimeoutRequest({
      msg: 0,
      flags: ACK,
      seq: 1,
      attributes: [name("a"), l3(2), l4(6), dataAttribute([])],
    });
    const r = receive(s.ns, bytes, RULES);
    expect(r.replies).toHaveLength(1);
    expect(decodeErrorMessage(decodeMessages(r.replies[0]!)[0]!).errno).toBe(0);
    expect(r.ns.policies).toHaveLength(0);
  });
});

describe("NEW, DELETE and users", () => {
  it("checks the name before the protocol: EEXIST with EXCL, EBUSY without, EINVAL replacing by another kind", () => {
    const s = new Session();
    expect(s.errno(0, R, [name("a"), l3(2), l4(6), dataAttribute([])])).toBe(0);
    expect(s.errno(0, R | 0x200, [name("a"), l3(2), l4(99), dataAttribute([])])).toBe(EEXIST);
    expect(s.errno(0, R, [name("a"), l3(2), l4(99), dataAttribute([])])).toBe(EBUSY);
    expect(s.errno(0, R | 0x100, [name("a"), l3(10), l4(6), dataAttribute([])])).toBe(EINVAL);
    expect(s.errno(0, R, [name("b"), l3(2), l4(99), dataAttribute([])])).toBe(EOPNOTSUPP);
    expect(s.errno(0, R | 0x100, [name("a"), l3(2), l4(6), dataAttribute([[1, 5]])])).toBe(0);
  });

  it("attach takes a reference; DELETE is EBUSY while used; delete-all keeps the used", () => {
    const s = new Session();
    s.errno(0, R, [name("a"), l3(2), l4(17), dataAttribute([])]);
    s.errno(0, R, [name("b"), l3(2), l4(17), dataAttribute([])]);
    const enc = (t: string) => new TextEncoder().encode(t);
    expect(attach(s.ns, { name: enc("a"), l3proto: 10, l4proto: 17 }).errno).toBe(EINVAL);
    expect(attach(s.ns, { name: enc("a"), l3proto: 2, l4proto: 6 }).errno).toBe(EINVAL);
    expect(attach(s.ns, { name: enc("a"), l3proto: 2, l4proto: 0 }).errno).toBe(EINVAL);
    expect(attach(s.ns, { name: enc("zz"), l3proto: 2, l4proto: 17 }).errno).toBe(ENOENT);
    expect(attach(s.ns, { name: enc("x".repeat(32)), l3proto: 2, l4proto: 17 }).errno).toBe(ENAMETOOLONG);
    const a = attach(s.ns, { name: enc("a"), l3proto: 2, l4proto: 17 });
    expect(a.errno).toBe(0);
    s.ns = a.ns;
    expect(s.ns.policies[0]!.refcount).toBe(2);
    expect(s.errno(2, R, [name("a")])).toBe(EBUSY);
    expect(s.errno(2, R, [])).toBe(0);
    expect(s.ns.policies.map((p) => p.name)).toEqual(["a"]);
    const got = decodePolicyMessage(decodeMessages(fromHex(s.send(1, R, [name("a")])[0]!))[0]!);
    expect(got.use).toBe(2);
    s.ns = detach(s.ns, a.ref!).ns;
    expect(s.errno(2, R, [name("a")])).toBe(0);
    expect(detach(s.ns, a.ref!).errno).toBe(ENOENT);
  });

  it("an untracked rule protocol means the generic tracker", () => {
    const s = new Session();
    s.errno(0, R, [name("g"), l3(2), l4(255), dataAttribute([])]);
    expect(attach(s.ns, { name: new TextEncoder().encode("g"), l3proto: 2, l4proto: 50 }).errno).toBe(0);
  });
});

// Keep the imports of attribute helpers honest.
void attrBe32;
