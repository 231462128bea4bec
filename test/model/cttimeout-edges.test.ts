// The cttimeout model's edges the byte-for-byte tests do not reach: how
// nfnetlink_rcv() / netlink_rcv_skb() walk a datagram, the deprecated-mode
// attribute parse (lib/nlattr.c), the handlers' less common branches, and the
// rule knobs the mutants turn (model/cttimeout/rules.ts).
import { describe, expect, it } from "vitest";
import { parseTop } from "../../model/cttimeout/attribute-policy.js";
import { EBUSY, EINVAL, ENOENT, EOPNOTSUPP, ERANGE } from "../../sys/errno.js";
import { freshNamespace, nameKey, usersOf, type CttimeoutNamespace } from "../../model/cttimeout/namespace.js";
import { policyMessage } from "../../model/cttimeout/messages.js";
import { receive, UnmodelledMessage } from "../../model/cttimeout/receive.js";
import { cttimeoutRules, profileForHz, type CttimeoutRules } from "../../model/cttimeout/rules.js";
import { attach, detach } from "../../model/cttimeout/users.js";
import { attrBe16, attrU8, nlattr } from "../../wire/netlink/attributes.js";
import {
  CTA_TIMEOUT_DATA,
  CTA_TIMEOUT_L3PROTO,
  CTA_TIMEOUT_L4PROTO,
  CTA_TIMEOUT_NAME,
  cttimeoutType,
  dataAttribute,
  decodeDefaultsMessage,
  decodePolicyMessage,
  encodeCttimeoutRequest,
  nameAttribute,
} from "../../wire/netlink/cttimeout.js";
import { decodeErrorMessage, decodeMessages, encodeMessage, NLMSG_ERROR } from "../../wire/netlink/message.js";

const RULES = cttimeoutRules("linux");
const REQ = 1;
const ACK = 4;
const REPLACE = 0x100;
const enc = (s: string) => new TextEncoder().encode(s);
const name = (s: string) => nameAttribute(enc(s));
const l3 = (v: number) => attrBe16(CTA_TIMEOUT_L3PROTO, v);
const l4 = (v: number) => attrU8(CTA_TIMEOUT_L4PROTO, v);
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

/** The errnos of the NLMSG_ERROR replies, in order. */
function errnos(replies: Uint8Array[]): number[] {
  return replies
    .flatMap((r) => decodeMessages(r))
    .filter((m) => m.type === NLMSG_ERROR)
    .map((m) => decodeErrorMessage(m).errno);
}

class Session {
  seq = 1;
  constructor(
    public ns: CttimeoutNamespace = freshNamespace(),
    readonly rules: CttimeoutRules = RULES,
  ) {}
  raw(datagram: Uint8Array): Uint8Array[] {
    const r = receive(this.ns, datagram, this.rules);
    this.ns = r.ns;
    return r.replies;
  }
  send(msg: number, flags: number, attributes: Uint8Array[]): Uint8Array[] {
    return this.raw(encodeCttimeoutRequest({ msg, flags, seq: this.seq++, attributes }));
  }
  errno(msg: number, flags: number, attributes: Uint8Array[]): number {
    const e = errnos(this.send(msg, flags | ACK, attributes));
    return e[e.length - 1]!;
  }
  timeouts(policy: string): number[] {
    const [m] = decodeMessages(this.send(1, REQ, [name(policy)])[0]!);
    return decodePolicyMessage(m!).data.map(([, s]) => s);
  }
}

/** A NEW request's bytes (nlmsg_len set as encodeMessage does, padded to 4). */
const newRequest = (attributes: Uint8Array[], flags = REQ | ACK, seq = 1) =>
  encodeCttimeoutRequest({ msg: 0, flags, seq, attributes });
const udpA = [name("a"), l3(2), l4(17), dataAttribute([])];

describe("nfnetlink_rcv() and netlink_rcv_skb() walking a datagram", () => {
  it("a datagram shorter than a header, or whose first nlmsg_len is bad, is dropped silently (batch check not reached)", () => {
    const s = new Session();
    expect(s.raw(Uint8Array.of(1, 2, 3))).toEqual([]);
    // A BATCH_BEGIN type (16) behind an nlmsg_len below 16 or beyond the datagram: dropped before the batch check.
    const batch = (len: number, size: number) => {
      const b = new Uint8Array(size);
      new DataView(b.buffer).setUint32(0, len, true);
      new DataView(b.buffer).setUint16(4, 16, true);
      new DataView(b.buffer).setUint16(6, REQ | ACK, true);
      return b;
    };
    expect(s.raw(batch(8, 20))).toEqual([]);
    expect(s.raw(batch(100, 20))).toEqual([]);
    // A well-formed NFNL_MSG_BATCH_BEGIN is a batch: not modelled.
    expect(() => s.raw(batch(16, 16))).toThrow(UnmodelledMessage);
    expect(() => s.raw(batch(16, 16))).toThrow(/NFNL_MSG_BATCH_BEGIN/);
  });

  it("a header-only request (no nfgenmsg) is acked with 0, even as a 16-byte datagram", () => {
    const s = new Session();
    const bare = encodeMessage({
      type: cttimeoutType(0),
      flags: REQ | ACK,
      seq: 9,
      pid: 0,
      payload: new Uint8Array(0),
    });
    expect(bare).toHaveLength(16);
    expect(errnos(s.raw(bare))).toEqual([0]);
    // Three bytes of payload: still short of nfgenmsg.
    const short = encodeMessage({
      type: cttimeoutType(0),
      flags: REQ | ACK,
      seq: 9,
      pid: 0,
      payload: new Uint8Array(3),
    });
    expect(errnos(s.raw(short))).toEqual([0]);
    expect(s.ns.policies).toHaveLength(0);
  });

  it("another subsystem's message is not modelled", () => {
    const s = new Session();
    const ctnetlink = encodeMessage({ type: 0x0100, flags: REQ | ACK, seq: 1, pid: 0, payload: new Uint8Array(4) });
    expect(() => s.raw(ctnetlink)).toThrow(UnmodelledMessage);
    expect(() => s.raw(ctnetlink)).toThrow(/message type 0x100 is not of the cttimeout subsystem/);
  });

  it("control messages (type < NLMSG_MIN_TYPE) are only acked; type NLMSG_MIN_TYPE goes to a subsystem", () => {
    const s = new Session();
    const noop = encodeMessage({ type: 1, flags: REQ | ACK, seq: 1, pid: 0, payload: new Uint8Array(4) });
    expect(errnos(s.raw(noop))).toEqual([0]);
    // 0x10 after a first message (so not taken as a batch): subsystem 0, not cttimeout.
    const min = encodeMessage({ type: 0x10, flags: REQ | ACK, seq: 2, pid: 0, payload: new Uint8Array(4) });
    expect(() => s.raw(concat(newRequest(udpA), min))).toThrow(UnmodelledMessage);
  });

  it("several messages: each is handled, an unaligned nlmsg_len is skipped NLMSG_ALIGNed", () => {
    const s = new Session();
    // nfgenmsg plus one byte: nlmsg_len 21, padded to 24.
    const odd = encodeMessage({ type: cttimeoutType(2), flags: REQ | ACK, seq: 5, pid: 0, payload: new Uint8Array(5) });
    expect(new DataView(odd.buffer).getUint32(0, true)).toBe(21);
    expect(odd).toHaveLength(24);
    const replies = s.raw(
      concat(
        odd,
        newRequest(udpA, REQ | ACK, 6),
        newRequest([name("b"), l3(2), l4(6), dataAttribute([])], REQ | ACK, 7),
      ),
    );
    expect(errnos(replies)).toEqual([0, 0, 0]);
    expect(s.ns.policies.map((p) => p.name)).toEqual(["a", "b"]);
  });

  it("stops at a message whose nlmsg_len is below a header or beyond the datagram", () => {
    const short = new Uint8Array(16);
    new DataView(short.buffer).setUint32(0, 8, true);
    new DataView(short.buffer).setUint16(4, cttimeoutType(0), true);
    new DataView(short.buffer).setUint16(6, REQ | ACK, true);
    const s = new Session();
    expect(errnos(s.raw(concat(newRequest(udpA), short)))).toEqual([0]);
    const long = newRequest([name("b"), l3(2), l4(6), dataAttribute([])], REQ | ACK, 2);
    new DataView(long.buffer).setUint32(0, long.length + 8, true);
    const t = new Session();
    expect(errnos(t.raw(concat(newRequest(udpA), long)))).toEqual([0]);
    expect(t.ns.policies.map((p) => p.name)).toEqual(["a"]);
  });

  it("the ack echoes the request's header, nlmsg_pid included (little endian)", () => {
    const s = new Session();
    const req = newRequest(udpA, REQ | ACK, 0x42);
    new DataView(req.buffer).setUint32(12, 0x12345678, true);
    const [ack] = decodeMessages(s.raw(req)[0]!);
    const e = decodeErrorMessage(ack!);
    expect(e.errno).toBe(0);
    expect(e.request.pid).toBe(0x12345678);
    expect(e.request.seq).toBe(0x42);
  });
});

describe("the attribute parse (nla_parse_deprecated, validate_nla)", () => {
  it("stops at an attribute shorter than its header; what follows is not parsed", () => {
    const s = new Session();
    // nla_len 2, type CTA_TIMEOUT_USE (no policy): nla_ok() fails, the rest is ignored -> NEW misses its attributes.
    expect(s.errno(0, REQ, [Uint8Array.of(2, 0, 5, 0), ...udpA])).toBe(EINVAL);
    expect(s.ns.policies).toHaveLength(0);
  });

  it("stops at an attribute longer than what is left (a truncated last one is not used)", () => {
    const s = new Session();
    // A NAME claiming 40 bytes with only "b\0\0\0" present.
    const truncated = Uint8Array.of(40, 0, CTA_TIMEOUT_NAME, 0, 0x62, 0, 0, 0);
    expect(s.errno(0, REQ, [...udpA, truncated])).toBe(0);
    expect(s.ns.policies.map((p) => p.name)).toEqual(["a"]);
  });

  it("keeps types 1..CTA_TIMEOUT_MAX, skips type 0 and types above, the last of a type wins", () => {
    const parsed = parseTop(
      concat(
        nlattr(0, Uint8Array.of(1)),
        nlattr(5, Uint8Array.of(1)),
        nlattr(6, Uint8Array.of(1)),
        name("x"),
        name("y"),
      ),
      31,
    );
    expect("tb" in parsed && Object.keys(parsed.tb)).toEqual(["1", "5"]);
    expect("tb" in parsed && nameKey(parsed.tb[1]!)).toBe("y");
  });

  it("NAME: an empty string (one NUL) is valid; 32 bytes with an inner NUL but none last are ERANGE", () => {
    expect(parseTop(nlattr(CTA_TIMEOUT_NAME, Uint8Array.of(0)), 31)).toHaveProperty("tb");
    const inner = Uint8Array.from([0x61, 0x62, 0x63, 0, ...new Array<number>(28).fill(0x41)]);
    expect(inner).toHaveLength(32);
    expect(parseTop(nlattr(CTA_TIMEOUT_NAME, inner), 31)).toEqual({ errno: ERANGE });
    expect(parseTop(nlattr(CTA_TIMEOUT_NAME, new Uint8Array(0)), 31)).toEqual({ errno: EINVAL });
  });

  it("L4PROTO needs one byte; DATA may be empty or a bare header, not 1..3 bytes", () => {
    expect(parseTop(nlattr(CTA_TIMEOUT_L4PROTO, new Uint8Array(0)), 31)).toEqual({ errno: ERANGE });
    expect(parseTop(nlattr(CTA_TIMEOUT_DATA, new Uint8Array(4)), 31)).toHaveProperty("tb");
    expect(parseTop(nlattr(CTA_TIMEOUT_DATA, new Uint8Array(3)), 31)).toEqual({ errno: ERANGE });
  });

  it("DATA: type 0 and types beyond the tracker's count are skipped whatever their length", () => {
    const s = new Session();
    const data = nlattr(
      CTA_TIMEOUT_DATA,
      concat(nlattr(0, Uint8Array.of(1)), nlattr(3, Uint8Array.of(1)), nlattr(1, Uint8Array.of(0, 0, 0, 7))),
    );
    expect(s.errno(3, REQ, [l4(17), data])).toBe(0);
    const [m] = decodeMessages(s.send(4, REQ, [l3(2), l4(17)])[0]!);
    expect(decodeDefaultsMessage(m!).data).toEqual([
      [1, 7],
      [2, 120],
    ]);
  });
});

describe("handlers", () => {
  it("NEW with REPLACE: another l4 is EINVAL; a DATA error is returned and changes nothing; else the timeouts are replaced", () => {
    const s = new Session();
    expect(s.errno(0, REQ, [name("a"), l3(2), l4(6), dataAttribute([])])).toBe(0);
    expect(s.errno(0, REQ | REPLACE, [name("a"), l3(2), l4(17), dataAttribute([])])).toBe(EINVAL);
    const short = nlattr(CTA_TIMEOUT_DATA, nlattr(1, Uint8Array.of(0, 5)));
    expect(s.errno(0, REQ | REPLACE, [name("a"), l3(2), l4(6), short])).toBe(ERANGE);
    expect(s.timeouts("a")[0]).toBe(120);
    expect(s.errno(0, REQ | REPLACE, [name("a"), l3(2), l4(6), dataAttribute([[1, 5]])])).toBe(0);
    expect(s.timeouts("a")).toEqual([5, 60, 432000, 120, 60, 30, 120, 10, 120, 300, 300]);
  });

  it("DELETE by name removes the policy; DEFAULT_SET of an untracked protocol is EOPNOTSUPP", () => {
    const s = new Session();
    s.errno(0, REQ, udpA);
    expect(s.errno(2, REQ, [name("a")])).toBe(0);
    expect(s.ns.policies).toHaveLength(0);
    expect(s.errno(1, REQ, [name("a")])).toBe(ENOENT);
    expect(s.errno(3, REQ, [l4(99), dataAttribute([[1, 5]])])).toBe(EOPNOTSUPP);
    expect(s.ns.defaults.generic).toEqual([600]);
  });

  it("the rule knobs the mutants turn (rules.ts)", () => {
    // l4BeforeName: the tracker is looked up before the name.
    const order = new Session(freshNamespace(), { ...RULES, l4BeforeName: true });
    order.errno(0, REQ, udpA);
    expect(order.errno(0, REQ, [name("a"), l3(2), l4(99), dataAttribute([])])).toBe(EOPNOTSUPP);
    expect(order.errno(0, REQ, [name("a"), l3(2), l4(17), dataAttribute([])])).toBe(EBUSY);
    // parseBeforeLink false: a DATA error still links the policy, with the defaults.
    const link = new Session(freshNamespace(), { ...RULES, parseBeforeLink: false });
    expect(link.errno(0, REQ, [name("a"), l3(2), l4(17), nlattr(CTA_TIMEOUT_DATA, nlattr(1, Uint8Array.of(1)))])).toBe(
      ERANGE,
    );
    expect(link.ns.policies.map((p) => [p.name, p.timeouts])).toEqual([["a", [30, 120]]]);
    // defaultSetNeedsL3.
    const l3s = new Session(freshNamespace(), { ...RULES, defaultSetNeedsL3: true });
    expect(l3s.errno(3, REQ, [l4(17), dataAttribute([[1, 5]])])).toBe(EINVAL);
    expect(l3s.errno(3, REQ, [l3(2), l4(17), dataAttribute([[1, 5]])])).toBe(0);
    // useOffset is added to USE.
    const p = { id: 1, name: "a", l3num: 2, l4proto: 17, timeouts: [30, 120], refcount: 2 };
    const use = (useOffset: number) =>
      decodePolicyMessage(decodeMessages(policyMessage(p, { seq: 1, portid: 0, rules: { ...RULES, useOffset } }))[0]!)
        .use;
    expect(use(3)).toBe(5);
    // deleteAllStopsAtBusy: delete-all removes up to the first policy in use and keeps it and all after it.
    const stop = new Session(freshNamespace(), { ...RULES, deleteAllStopsAtBusy: true });
    for (const n of ["a", "b", "c", "d"]) stop.errno(0, REQ, [name(n), l3(2), l4(17), dataAttribute([])]);
    stop.ns = attach(stop.ns, { name: enc("c"), l3proto: 2, l4proto: 17 }).ns;
    expect(stop.errno(2, REQ, [])).toBe(0);
    expect(stop.ns.policies.map((q) => q.name)).toEqual(["c", "d"]);
  });
});

describe("users, names and profiles", () => {
  it("an empty --timeout takes no policy; no L4 protocol is EINVAL even for a generic policy", () => {
    const s = new Session();
    s.errno(0, REQ, [name("g"), l3(2), l4(255), dataAttribute([])]);
    const none = attach(s.ns, { name: new Uint8Array(0), l3proto: 2, l4proto: 6 });
    expect(none.errno).toBe(0);
    expect(none.ns.users[none.ref!]).toEqual({ policyId: null });
    expect(detach(none.ns, none.ref!).errno).toBe(0);
    expect(attach(s.ns, { name: enc("g"), l3proto: 2, l4proto: 0 }).errno).toBe(EINVAL);
  });

  it("usersOf counts the users holding a policy", () => {
    const s = new Session();
    s.errno(0, REQ, udpA);
    s.errno(0, REQ, [name("b"), l3(2), l4(17), dataAttribute([])]);
    let ns = s.ns;
    for (const n of ["a", "a", "b"]) ns = attach(ns, { name: enc(n), l3proto: 2, l4proto: 17 }).ns;
    const [a, b] = ns.policies;
    expect([usersOf(ns, a!.id), usersOf(ns, b!.id)]).toEqual([2, 1]);
  });

  it("nameKey stops at the NUL, or takes every byte without one", () => {
    expect(nameKey(Uint8Array.of(0x61, 0x62))).toBe("ab");
    expect(nameKey(Uint8Array.of(0x61, 0, 0x62))).toBe("a");
  });

  it("profiles: unknown names are refused; a CONFIG_HZ maps to its profile or none", () => {
    expect(() => cttimeoutRules("bsd")).toThrow(
      'unknown cttimeout profile "bsd" (known: linux, linux-hz100, linux-hz300, linux-hz1000, linux-6.1)',
    );
    expect(profileForHz(250)).toBe("linux");
    // A version profile is claimed by what the kernel does, never by its HZ alone.
    expect(cttimeoutRules("linux-6.1")).toEqual({ ...cttimeoutRules("linux"), defaultSetNeedsL3: true });
    expect(profileForHz(1000)).toBe("linux-hz1000");
    expect(profileForHz(123)).toBeNull();
  });
});
