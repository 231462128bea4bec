// The RFC 8200 profile's outcome sets (model/frag6/rfc8200.ts), candidate by
// candidate: each datagram's allowed behaviours, the choices that lead there,
// what is delivered (event, time, bytes, ECN) and which ICMP errors may go out.
// Sections: RFC 8200 4.5 (reassembly, 60 s, oversized and unaligned fragments,
// Parameter Problem pointers), RFC 5722 (overlaps), erratum 3089, RFC 6946
// (atomic fragments), RFC 7112 (tiny first fragments), RFC 3168 5.3 (ECN).
import { describe, expect, it } from "vitest";
import type { Frag6Event } from "../../model/frag6/profiles.js";
import { judgeFrag6 } from "../../model/frag6/judge.js";
import { frag6Expectation } from "../../model/frag6/run.js";
import { RFC_STATE_CAP } from "../../model/frag6/rfc8200.js";
import { buildDatagram } from "../../wire/ipv6-datagram.js";
import { toHex } from "../../wire/hex.js";
import { at, frag, ORIGINAL, PARTS, SPEC } from "./frag6-helpers.js";

const original = toHex(ORIGINAL);
const icmp = (x: { t: number; type: number; code: number; pointer: number }) =>
  `${x.t}/${x.type}/${x.code}/${x.pointer}`;

/** One line per group and per candidate: "choices => [e<event>@<t>:<bytes>:ecn<bits>] optional <icmp>". */
function outcomes(events: Frag6Event[]): string[] {
  const e = frag6Expectation(events, "rfc8200");
  if (e.kind !== "choice") throw new Error("rfc8200 gives a choice");
  const out: string[] = [];
  for (const g of e.groups) {
    out.push(`group ${g.key.includes("#") ? `#${g.key.split("#")[1]}` : g.key}`);
    for (const c of g.candidates) {
      const d = c.delivered.map(
        (x) =>
          `e${x.event}@${x.t}:${x.packet === original ? "original" : `${x.packet.length / 2}B`}:ecn${parseInt(x.packet.slice(1, 3), 16) & 3}`,
      );
      const required = c.icmpRequired.length ? ` required ${c.icmpRequired.map(icmp).join(" ")}` : "";
      const optional = c.icmpOptional.length ? ` optional ${c.icmpOptional.map(icmp).join(" ")}` : "";
      out.push(`  ${c.choices.join("; ") || "-"} => [${d.join(" ")}]${required}${optional}`);
    }
  }
  return out;
}

const tcp = buildDatagram({ ...SPEC, upper: "tcp", payloadLength: 12 });
const unspecified = buildDatagram({ ...SPEC, src: new Uint8Array(16) });
const other = (b: Uint8Array) => b.map((x) => x ^ 0xff);
const over = { ...buildDatagram({ ...SPEC, before: ["dst"] }), fragmentable: new Uint8Array(65535).fill(7) };
const full = { ...PARTS, fragmentable: new Uint8Array(65535).fill(7) };
const zeros = new Uint8Array(8);
// Hop-by-Hop and Destination Options before the Fragment header: 16 bytes of Unfragmentable Part past the IPv6 header.
const headed = buildDatagram({ ...SPEC, before: ["hop", "dst"] });
const ending65527 = frag(65520, 65527, { more: false, data: new Uint8Array(7) });
const T = (...pairs: [number, Uint8Array][]): Frag6Event[] => pairs.map(([t, packet]) => ({ t, packet }));

const SCENARIOS: Record<string, Frag6Event[]> = {
  alone: T(
    [0, ORIGINAL],
    [1, frag(0, 32, { more: false, id: 1 })],
    [2, frag(0, 8, { parts: tcp, more: false, id: 2 })],
  ),
  oversized: at(frag(0, 16), frag(65528, 65544, { more: true, data: new Uint8Array(16) }), frag(16, 32)),
  "end 65535": at(frag(65528, 65535, { more: false, data: new Uint8Array(7) })),
  unaligned: at(frag(0, 16), frag(16, 21, { more: true }), frag(16, 32)),
  "unaligned from ::": at(frag(0, 16, { parts: unspecified }), frag(16, 21, { parts: unspecified, more: true })),
  "discarded first starts the clock": T([0, frag(16, 21, { more: true })], [1, frag(0, 16)], [60000, frag(16, 32)]),
  "discarded later keeps the clock": T([0, frag(0, 16)], [30000, frag(16, 21, { more: true })], [60001, frag(16, 32)]),
  "accepted later keeps the clock": T([0, frag(0, 8)], [30000, frag(8, 16)], [60001, frag(16, 32)]),
  tiny: at(frag(0, 8, { parts: tcp }), frag(8, 32, { parts: tcp })),
  "zero-length middle": at(frag(0, 8), frag(8, 8, { more: true }), frag(8, 32)),
  "zero-length last": at(frag(0, 16), frag(16, 16, { more: false })),
  "ends at a zero-length last": at(frag(0, 16), frag(32, 32, { more: false }), frag(16, 32, { more: true })),
  duplicate: at(frag(0, 16), frag(0, 16), frag(16, 32), frag(0, 16)),
  "same range other bytes": at(
    frag(0, 16),
    frag(0, 16, { data: other(PARTS.fragmentable.slice(0, 16)) }),
    frag(16, 32),
  ),
  "same range other M": at(frag(16, 24, { more: true }), frag(16, 24, { more: false })),
  "same bytes elsewhere": at(frag(0, 8, { data: zeros }), frag(8, 16, { data: zeros })),
  "overlap, then again": at(frag(0, 16), frag(8, 24), frag(16, 32), frag(0, 16), frag(16, 32)),
  "M set beyond the last": at(frag(16, 32), frag(32, 40, { more: true, data: new Uint8Array(8) }), frag(0, 16)),
  "second last": at(frag(16, 32), frag(32, 40, { more: false, data: new Uint8Array(8) }), frag(0, 16)),
  "last below the data": at(frag(16, 32, { more: true }), frag(8, 16, { more: false }), frag(0, 8)),
  "ECT(0) then CE": at(frag(0, 16, { tc: 2 }), frag(16, 32, { tc: 3 })),
  "CE then ECT(0), last first": at(frag(16, 32, { tc: 3 }), frag(0, 16, { tc: 2 })),
  "CE only": at(frag(0, 16, { tc: 3 }), frag(16, 32, { tc: 3 })),
  "Not-ECT and ECT(0)": at(frag(0, 16, { tc: 0 }), frag(16, 32, { tc: 2 })),
  "Not-ECT and CE": at(frag(0, 16, { tc: 0 }), frag(16, 32, { tc: 3 })),
  "at the deadline": T([0, frag(0, 16)], [60000, frag(16, 32)]),
  "after the deadline": T([0, frag(0, 16)], [60001, frag(16, 32)]),
  "complete, then a new one": T([0, frag(16, 32)], [59999, frag(0, 16)], [60001, frag(0, 16)]),
  "first fragment's headers too long": at(frag(0, 32760, { parts: over }), frag(32760, 65535, { parts: full })),
  "first fragment's headers too long, then another first fragment": at(
    frag(0, 32760, { parts: over }),
    frag(32760, 65535, { parts: full }),
    frag(0, 16),
  ),
  "tiny atomic fragment from ::": T([
    0,
    frag(0, 8, {
      parts: buildDatagram({ ...SPEC, upper: "tcp", payloadLength: 12, src: new Uint8Array(16) }),
      more: false,
    }),
  ]),
  "oversized, then another first fragment": at(
    frag(0, 16),
    frag(65528, 65544, { more: true, data: new Uint8Array(16) }),
    frag(0, 16),
  ),
  // Issue 20 item 4 (docs/model-frag6.md "rfc8200: choices the RFC leaves open").
  "zero-length first fragment, M set": at(frag(0, 0, { more: true }), frag(0, 16), frag(16, 32)),
  "ends at 65527, then a first fragment whose headers push it past 65535": at(
    ending65527,
    frag(0, 16, { parts: headed }),
  ),
  "a first fragment with headers, then one ending at 65527": at(frag(0, 16, { parts: headed }), ending65527),
};

const EXPECTED: Record<string, string[]> = {
  alone: [
    "group event 0",
    "  not a fragment => [e0@0:original:ecn0]",
    "group event 1",
    "  atomic fragment processed alone => [e1@1:original:ecn0]",
    "group event 2",
    "  tiny atomic fragment discarded => [] optional 2/4/3/0",
    "  atomic fragment processed alone => [e2@2:48B:ecn0]",
  ],
  oversized: [
    "group #7",
    "  event 1: oversized fragment discarded, queue kept; ECN of the first fragment => [e2@2:original:ecn0] optional 1/4/0/42",
    "  event 1: oversized fragment discarded, queue abandoned; timeout at 60002 => [] optional 1/4/0/42",
  ],
  "end 65535": ["group #7", "  timeout at 60000 => []"],
  unaligned: [
    "group #7",
    "  event 1: unaligned fragment discarded, queue kept; ECN of the first fragment => [e2@2:original:ecn0] optional 1/4/0/4",
    "  event 1: unaligned fragment discarded, queue abandoned; timeout at 60002 => [] optional 1/4/0/4",
  ],
  "unaligned from ::": ["group #7", "  event 1: unaligned fragment discarded, queue kept; timeout at 60000 => []"],
  "discarded first starts the clock": [
    "group #7",
    "  event 0: unaligned fragment discarded, queue kept; ECN of the first fragment => [e2@60000:original:ecn0] optional 0/4/0/4",
    "  event 0: unaligned fragment discarded, queue kept; timeout at 60000; timeout at 120000 => [] optional 0/4/0/4 60000/3/1/0",
  ],
  "discarded later keeps the clock": [
    "group #7",
    "  event 1: unaligned fragment discarded, queue kept; timeout at 60000; timeout at 120001 => [] optional 30000/4/0/4 60000/3/1/0",
    "  event 1: unaligned fragment discarded, queue abandoned; timeout at 120001 => [] optional 30000/4/0/4",
  ],
  "accepted later keeps the clock": ["group #7", "  timeout at 60000; timeout at 120001 => [] optional 60000/3/1/0"],
  tiny: [
    "group #7",
    "  event 0: tiny first fragment discarded; timeout at 60001 => [] optional 0/4/3/0",
    "  ECN of the first fragment => [e1@1:72B:ecn0]",
  ],
  "zero-length middle": [
    "group #7",
    "  event 1: zero-length fragment ignored; ECN of the first fragment => [e2@2:original:ecn0]",
    "  event 1: zero-length fragment abandons the datagram; timeout at 60002 => []",
    "  event 1: zero-length fragment discarded, queue kept; ECN of the first fragment => [e2@2:original:ecn0] optional 1/4/0/4",
    "  event 1: zero-length fragment discarded, queue abandoned; timeout at 60002 => [] optional 1/4/0/4",
  ],
  "zero-length last": [
    "group #7",
    "  event 1: zero-length fragment ignored; timeout at 60000 => [] optional 60000/3/1/0",
    "  event 1: zero-length fragment abandons the datagram => []",
    "  ECN of the first fragment => [e1@1:56B:ecn0]",
    "  event 1: zero-length fragment discarded, queue kept; timeout at 60000 => [] optional 1/4/0/4 60000/3/1/0",
    "  event 1: zero-length fragment discarded, queue abandoned => [] optional 1/4/0/4",
  ],
  "ends at a zero-length last": [
    "group #7",
    "  event 1: zero-length fragment ignored; timeout at 60000 => [] optional 60000/3/1/0",
    "  event 1: zero-length fragment abandons the datagram; timeout at 60002 => []",
    "  event 2: M set but ending at the last fragment's end: accepted; ECN of the first fragment => [e2@2:original:ecn0]",
    "  event 1: zero-length fragment discarded, queue kept; timeout at 60000 => [] optional 1/4/0/4 60000/3/1/0",
    "  event 1: zero-length fragment discarded, queue abandoned; timeout at 60002 => [] optional 1/4/0/4",
  ],
  duplicate: [
    "group #7",
    "  event 1: exact duplicate dropped; ECN of the first fragment; timeout at 60003 => [e2@2:original:ecn0] optional 60003/3/1/0",
    "  event 1: exact duplicate treated as overlap; ECN of the first fragment => [e3@3:original:ecn0]",
    "  event 1: exact duplicate treated as overlap; event 2: dropped as part of an abandoned datagram; timeout at 60003 => [] optional 60003/3/1/0",
    "  event 1: exact duplicate treated as overlap; event 2: dropped as part of an abandoned datagram; event 3: dropped as part of an abandoned datagram => []",
  ],
  "same range other bytes": ["group #7", "  event 1: overlap abandons the datagram; timeout at 60002 => []"],
  "same range other M": ["group #7", "  event 1: overlap abandons the datagram => []"],
  "same bytes elsewhere": ["group #7", "  timeout at 60000 => [] optional 60000/3/1/0"],
  "overlap, then again": [
    "group #7",
    "  event 1: overlap abandons the datagram; ECN of the first fragment; timeout at 60004 => [e3@3:original:ecn0]",
    "  event 1: overlap abandons the datagram; event 2: dropped as part of an abandoned datagram; ECN of the first fragment => [e4@4:original:ecn0]",
    "  event 1: overlap abandons the datagram; event 2: dropped as part of an abandoned datagram; event 3: dropped as part of an abandoned datagram; timeout at 60004 => []",
  ],
  "M set beyond the last": [
    "group #7",
    "  event 1: fragment inconsistent with the datagram's end dropped; ECN of the first fragment => [e2@2:original:ecn0]",
    "  event 1: fragment inconsistent with the datagram's end abandons it; timeout at 60002 => [] optional 60002/3/1/0",
  ],
  "second last": [
    "group #7",
    "  event 1: fragment inconsistent with the datagram's end dropped; ECN of the first fragment => [e2@2:original:ecn0]",
    "  event 1: fragment inconsistent with the datagram's end abandons it; timeout at 60002 => [] optional 60002/3/1/0",
  ],
  "last below the data": [
    "group #7",
    "  event 1: fragment inconsistent with the datagram's end dropped; timeout at 60000 => [] optional 60000/3/1/0",
    "  event 1: fragment inconsistent with the datagram's end abandons it; timeout at 60002 => [] optional 60002/3/1/0",
  ],
  "ECT(0) then CE": [
    "group #7",
    "  ECN of the first fragment => [e1@1:72B:ecn2]",
    "  ECN: CE carried over (RFC 3168 section 5.3) => [e1@1:72B:ecn3]",
  ],
  "CE then ECT(0), last first": [
    "group #7",
    "  ECN of the first fragment => [e1@1:72B:ecn2]",
    "  ECN: CE carried over (RFC 3168 section 5.3) => [e1@1:72B:ecn3]",
  ],
  "CE only": ["group #7", "  ECN of the first fragment => [e1@1:72B:ecn3]"],
  "Not-ECT and ECT(0)": [
    "group #7",
    "  ECN of the first fragment => [e1@1:original:ecn0]",
    "  ECN: Not-ECT mixed with ECT: dropped (RFC 3168 section 5.3) => []",
  ],
  "Not-ECT and CE": [
    "group #7",
    "  ECN of the first fragment => [e1@1:original:ecn0]",
    "  ECN: CE carried over (RFC 3168 section 5.3) => [e1@1:72B:ecn3]",
    "  ECN: Not-ECT mixed with ECT: dropped (RFC 3168 section 5.3) => []",
  ],
  "at the deadline": [
    "group #7",
    "  ECN of the first fragment => [e1@60000:original:ecn0]",
    "  timeout at 60000; timeout at 120000 => [] optional 60000/3/1/0",
  ],
  "after the deadline": ["group #7", "  timeout at 60000; timeout at 120001 => [] optional 60000/3/1/0"],
  "complete, then a new one": [
    "group #7",
    "  ECN of the first fragment; timeout at 120001 => [e1@59999:original:ecn0] optional 120001/3/1/0",
  ],
  "first fragment's headers too long": [
    "group #7",
    "  reassembled payload over 65535: discarded => []",
    "  event 1: fragment oversized with the first fragment's headers discarded, queue kept; timeout at 60000 => [] optional 1/4/0/42 60000/3/1/0",
    "  event 1: fragment oversized with the first fragment's headers discarded, queue abandoned => [] optional 1/4/0/42",
  ],
  "first fragment's headers too long, then another first fragment": [
    "group #7",
    "  reassembled payload over 65535: discarded; timeout at 60002 => [] optional 60002/3/1/0",
    "  event 1: fragment oversized with the first fragment's headers discarded, queue kept; event 2: overlap abandons the datagram => [] optional 1/4/0/42",
    "  event 1: fragment oversized with the first fragment's headers discarded, queue abandoned; timeout at 60002 => [] optional 1/4/0/42 60002/3/1/0",
  ],
  "tiny atomic fragment from ::": [
    "group event 0",
    "  tiny atomic fragment discarded => []",
    "  atomic fragment processed alone => [e0@0:48B:ecn0]",
  ],
  "oversized, then another first fragment": [
    "group #7",
    "  event 1: oversized fragment discarded, queue kept; event 2: exact duplicate dropped; timeout at 60000 => [] optional 1/4/0/42 60000/3/1/0",
    "  event 1: oversized fragment discarded, queue kept; event 2: exact duplicate treated as overlap => [] optional 1/4/0/42",
    "  event 1: oversized fragment discarded, queue abandoned; timeout at 60002 => [] optional 1/4/0/42 60002/3/1/0",
  ],
  // No 4.5 error names a zero-length fragment; discarded as erroneous, RFC 4443 section 3.4's Parameter Problem at Payload Length.
  "zero-length first fragment, M set": [
    "group #7",
    "  event 0: tiny first fragment discarded; ECN of the first fragment => [e2@2:original:ecn0] optional 0/4/3/0",
    "  event 0: zero-length fragment ignored; ECN of the first fragment => [e2@2:original:ecn0]",
    "  event 0: zero-length fragment discarded, queue kept; ECN of the first fragment => [e2@2:original:ecn0] optional 0/4/0/4",
  ],
  // Held until it times out, or, once the first fragment fixes the headers, discarded with a Parameter Problem about it.
  "ends at 65527, then a first fragment whose headers push it past 65535": [
    "group #7",
    "  timeout at 60000 => [] optional 60000/3/1/0",
    "  event 1: first fragment's headers make event 0 oversized: discarded, queue kept; timeout at 60000 => [] optional 1/4/0/42 60000/3/1/0",
    "  event 1: first fragment's headers make event 0 oversized: queue abandoned => [] optional 1/4/0/42",
  ],
  "a first fragment with headers, then one ending at 65527": [
    "group #7",
    "  timeout at 60000 => [] optional 60000/3/1/0",
    "  event 1: fragment oversized with the first fragment's headers discarded, queue kept; timeout at 60000 => [] optional 1/4/0/42 60000/3/1/0",
    "  event 1: fragment oversized with the first fragment's headers discarded, queue abandoned => [] optional 1/4/0/42",
  ],
};

describe("rfc8200 candidates", () => {
  for (const [name, events] of Object.entries(SCENARIOS)) {
    it(name, () => expect(outcomes(events)).toEqual(EXPECTED[name]));
  }
});

describe("the state search", () => {
  // Each reassembly with ECT(0) and CE fragments may or may not carry CE: 2^k outcomes after k of them.
  const rounds = (k: number) => {
    const packets: Uint8Array[] = [];
    for (let i = 0; i < k; i++) packets.push(frag(0, 16, { tc: 2 }), frag(16, 32, { tc: 3 }));
    return at(...packets, frag(0, 16, { id: 99 }));
  };

  it(`keeps up to ${RFC_STATE_CAP} states exactly`, () => {
    const e = frag6Expectation(rounds(8), "rfc8200");
    expect(e.kind === "choice" && [e.relaxed, e.groups.map((g) => g.candidates.length)]).toEqual([null, [256, 1]]);
    expect(e.notes).toEqual([]);
  });

  it("cuts beyond and relaxes the whole prediction, whichever datagram was cut", () => {
    const e = frag6Expectation(rounds(9), "rfc8200");
    expect(e.kind === "choice" && [e.relaxed, e.groups.map((g) => g.candidates.length)]).toEqual([
      "subsequence",
      [256, 1],
    ]);
    expect(e.notes).toEqual(["state search cut: prediction relaxed"]);
  });
});

describe("what KAME's frag6_input() answers (FreeBSD, NetBSD, OpenBSD) conforms", () => {
  const pp = (t: number, pointer: number) => ({ t, type: 4, code: 0, pointer });
  const judge = (events: Frag6Event[], observed: Parameters<typeof judgeFrag6>[1]) =>
    judgeFrag6(frag6Expectation(events, "rfc8200"), observed).ok;

  it("a zero-length fragment: discarded, Parameter Problem code 0 at Payload Length, the datagram delivered", () => {
    const events = SCENARIOS["zero-length first fragment, M set"]!;
    const delivered = [{ t: 2, packet: original }];
    expect(judge(events, { delivered, icmp: [pp(0, 4)] })).toBe(true);
    expect(judge(events, { delivered, icmp: [pp(0, 6)] })).toBe(false);
  });

  it("a held fragment oversized once the first fragment's headers are known: Parameter Problem about it, then Time Exceeded", () => {
    const events = SCENARIOS["ends at 65527, then a first fragment whose headers push it past 65535"]!;
    const timeExceeded = { t: 60000, type: 3, code: 1, pointer: 0 };
    expect(judge(events, { delivered: [], icmp: [pp(1, 42), timeExceeded] })).toBe(true);
    // About the first fragment (its Fragment Offset field is at 58) it is not.
    expect(judge(events, { delivered: [], icmp: [pp(1, 58), timeExceeded] })).toBe(false);
  });
});

describe("the whole datagram's headers after the Fragment header are processed (RFC 8200 section 4)", () => {
  const judge = (events: Frag6Event[], observed: Parameters<typeof judgeFrag6>[1]) =>
    judgeFrag6(frag6Expectation(events, "rfc8200"), observed).ok;
  const pp = (t: number, code: number, pointer: number) => ({ t, type: 4, code, pointer });
  /** PARTS with `header` (8 bytes) put first in its Fragmentable Part, named by the Fragment header. */
  const behind = (nextHeader: number, header: number[]) => {
    const fragmentable = new Uint8Array([...header, ...PARTS.fragmentable]);
    return { ...PARTS, nextHeader, fragmentable };
  };
  const twoFragments = (parts: ReturnType<typeof behind>) => {
    const events = at(frag(0, 16, { parts }), frag(16, parts.fragmentable.length, { parts }));
    const whole = new Uint8Array([...parts.unfragmentable, ...parts.fragmentable]);
    whole[parts.prevNextHeaderOffset] = parts.nextHeader;
    whole[4] = (whole.length - 40) >> 8;
    whole[5] = (whole.length - 40) & 0xff;
    return { events, delivered: [{ t: 1, packet: toHex(whole) }] };
  };

  it("Next Header 0 past the IPv6 header: 'should' discard with Parameter Problem code 1, or process it", () => {
    // A Hop-by-Hop header (PadN only) behind a Destination Options header: Linux answers code 1 at byte 40.
    const parts = behind(0, [17, 0, 1, 4, 0, 0, 0, 0]);
    const dst = buildDatagram({ ...SPEC, before: ["dst"] });
    const withDst = { ...dst, nextHeader: 0, fragmentable: parts.fragmentable };
    const { events, delivered } = twoFragments(withDst);
    expect(judge(events, { delivered: [], icmp: [pp(1, 1, 40)] })).toBe(true);
    expect(judge(events, { delivered, icmp: [] })).toBe(true);
    expect(judge(events, { delivered: [], icmp: [pp(1, 1, 41)] })).toBe(false);
  });

  it("an option the node does not recognize: the action its two high bits name", () => {
    // Option 0x9a (action 10): discard and Parameter Problem code 2 at the option (byte 42), or recognized.
    const { events, delivered } = twoFragments(behind(60, [17, 0, 0x9a, 4, 0, 0, 0, 0]));
    expect(judge(events, { delivered: [], icmp: [pp(1, 2, 42)] })).toBe(true);
    expect(judge(events, { delivered })).toBe(true);
    // Option 0x1a (action 00, skip over it): never a reason to discard.
    const skip = twoFragments(behind(60, [17, 0, 0x1a, 4, 0, 0, 0, 0]));
    expect(judge(skip.events, { delivered: [] })).toBe(false);
    expect(judge(skip.events, { delivered: skip.delivered })).toBe(true);
  });

  it("an unassigned Routing Type with Segments Left non-zero 'must' discard, Parameter Problem code 0 at the type", () => {
    const { events, delivered } = twoFragments(behind(43, [17, 0, 26, 1, 0, 0, 0, 0]));
    expect(judge(events, { delivered })).toBe(false);
    expect(judge(events, { delivered: [], icmp: [pp(1, 0, 42)] })).toBe(true);
    // Segments Left 0: "ignore the Routing header and proceed".
    const ignored = twoFragments(behind(43, [17, 0, 26, 0, 0, 0, 0, 0]));
    expect(judge(ignored.events, { delivered: ignored.delivered })).toBe(true);
    expect(judge(ignored.events, { delivered: [] })).toBe(false);
  });
});
