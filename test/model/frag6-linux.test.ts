// The Linux reassemblers' branches the kernel-facts rows do not reach
// (net/ipv6/reassembly.c ip6_frag_queue() / ip6_frag_reasm(),
// net/ipv6/netfilter/nf_conntrack_reasm.c nf_ct_frag6_queue(),
// net/ipv4/inet_fragment.c ip_frag_ecn_table): whether a queue is killed or
// kept shows in the Time Exceeded a later first fragment's queue sends (its
// timer starts with the queue), and the per-event trace names the branch.
import { describe, expect, it } from "vitest";
import { fragEcn } from "../../model/frag6/linux-node.js";
import { FRAG6_DEFAULT_CONFIG } from "../../model/frag6/profiles.js";
import { frag6Expectation, runLinux } from "../../model/frag6/run.js";
import { buildDatagram, originalPacket } from "../../wire/ipv6-datagram.js";
import { toHex } from "../../wire/hex.js";
import { at, frag, ORIGINAL, PARTS, SPEC } from "./frag6-helpers.js";

const original = toHex(ORIGINAL);
const run = (events: ReturnType<typeof at>, path: "ipv6" | "nfct", rules?: { malformedKillsQueue: boolean }) =>
  runLinux(events, path, FRAG6_DEFAULT_CONFIG, rules).outcome;
const delivered = (o: { delivered: { packet: string }[] }) => o.delivered.map((d) => d.packet);
const timeExceeded = (t: number) => ({ t, type: 3, code: 1, pointer: 0 });
const KEY = (id: number) => `20010db8000000000000000000000001>20010db8000000000000000000000002#${id}`;

describe("ip_frag_ecn_table", () => {
  it("CE alone changes nothing; CE with Not-ECT drops", () => {
    expect(fragEcn(0b1000)).toBe(0);
    expect(fragEcn(0b1001)).toBe(0xff);
    expect(fragEcn(0b0110)).toBe(0);
  });
});

describe("what each event did (trace)", () => {
  const tcp = buildDatagram({ ...SPEC, upper: "tcp", payloadLength: 12 });
  const events = [
    ORIGINAL, // no Fragment header
    frag(0, 32, { more: false, id: 1 }), // atomic
    frag(0, 8, { parts: tcp, id: 2 }), // tiny first fragment
    frag(0, 16, { id: 3 }),
    frag(16, 32, { id: 3 }),
    frag(8, 13, { id: 4 }), // unaligned
    frag(0, 16, { id: 5 }),
    frag(0, 16, { id: 5 }), // duplicate
    frag(8, 24, { id: 5 }), // overlap
    frag(0, 16, { id: 6, tc: 0 }),
    frag(16, 32, { id: 6, tc: 2 }), // Not-ECT with ECT(0)
    frag(16, 24, { id: 8 }),
  ].map((packet, t) => ({ t, packet }));

  it("linux-ipv6", () => {
    const r = runLinux(events, "ipv6");
    expect(r.trace).toEqual([
      "event 0: no Fragment header: delivered as it came",
      "event 1: atomic fragment delivered at once",
      "event 2: tiny first fragment dropped",
      "event 3: ip6frag queued",
      "event 4: ip6frag reassembled 2 fragments",
      "event 4: ip6frag delivered",
      "event 5: ip6frag dropped",
      "event 6: ip6frag queued",
      "event 7: ip6frag dropped",
      "event 8: ip6frag killed",
      "event 9: ip6frag queued",
      "event 10: ECN Not-ECT mixed with ECT/CE: datagram dropped",
      "event 10: ip6frag killed",
      "event 11: ip6frag queued",
      `ip6frag queue ${KEY(4)} expired at 60005`,
      `ip6frag queue ${KEY(8)} expired at 60011`,
    ]);
    expect(delivered(r.outcome)[0]).toBe(original);
    expect(r.outcome.delivered).toHaveLength(3);
  });

  it("linux-nfct: what the hook lets through reaches the plain stack; timers fire in expiry order across both", () => {
    const r = runLinux(events, "nfct");
    expect(r.trace).toEqual([
      "event 0: nf_ct_frag6_gather lets it through",
      "event 0: no Fragment header: delivered as it came",
      "event 1: nf_conntrack_frag6 reassembled 1 fragments",
      "event 1: nf_conntrack_frag6 delivered",
      "event 2: nf_ct_frag6_gather lets it through",
      "event 2: tiny first fragment dropped",
      "event 3: nf_conntrack_frag6 queued",
      "event 4: nf_conntrack_frag6 reassembled 2 fragments",
      "event 4: nf_conntrack_frag6 delivered",
      "event 5: nf_conntrack_frag6 passed",
      "event 5: ip6frag dropped",
      "event 6: nf_conntrack_frag6 queued",
      "event 7: nf_conntrack_frag6 dropped",
      "event 8: nf_conntrack_frag6 killed",
      "event 9: nf_conntrack_frag6 queued",
      "event 10: ECN Not-ECT mixed with ECT/CE: datagram dropped",
      "event 10: nf_conntrack_frag6 killed",
      "event 11: nf_conntrack_frag6 queued",
      // The plain stack's queue of event 5 (60005) fires before the hook's of event 11 (60011).
      `ip6frag queue ${KEY(4)} expired at 60005`,
      `nf_conntrack_frag6 queue ${KEY(8)} expired at 60011`,
    ]);
    expect(delivered(r.outcome)[0]).toBe(original);
  });

  it("above high_thresh: the fragment is dropped; rfc8200 then relaxes its prediction", () => {
    const config = { ...FRAG6_DEFAULT_CONFIG, highThresh: 500 };
    expect(runLinux(at(frag(0, 16), frag(16, 32)), "ipv6", config).trace[1]).toBe(
      "event 1: ip6frag memory above high_thresh: dropped",
    );
    expect(runLinux(at(frag(0, 16), frag(16, 32)), "nfct", config).trace[1]).toBe(
      "event 1: nf_conntrack_frag6 memory above high_thresh: dropped",
    );
    const e = frag6Expectation(at(frag(0, 16), frag(16, 32)), "rfc8200", config);
    expect(e.kind === "choice" && e.relaxed).toBe("subsequence");
    expect(e.notes).toEqual(["memory pressure: deliveries may be missing"]);
    expect(frag6Expectation(at(frag(0, 16), frag(16, 32)), "rfc8200").notes).toEqual([]);
  });
});

describe("ip6_frag_queue() and nf_ct_frag6_queue() checks", () => {
  it("a last fragment below the data queued: plain kills the queue, conntrack drops only the fragment", () => {
    const s = at(frag(16, 24), frag(8, 16, { more: false }), frag(0, 16), frag(24, 32));
    expect(run(s, "ipv6")).toEqual({ delivered: [], icmp: [timeExceeded(60002)] });
    expect(delivered(run(s, "nfct"))).toEqual([original]);
    expect(runLinux(s, "nfct").trace[1]).toBe("event 1: nf_conntrack_frag6 dropped");
  });

  it("a last fragment ending at the known length that overlaps: both kill the queue", () => {
    const s = at(frag(16, 24), frag(8, 24, { more: false }), frag(0, 16), frag(24, 32));
    expect(run(s, "nfct")).toEqual({ delivered: [], icmp: [timeExceeded(60002)] });
  });

  it("a second last fragment with another end, not overlapping: plain kills, conntrack drops the fragment", () => {
    const s = at(frag(16, 32), frag(32, 40, { more: false, data: new Uint8Array(8) }), frag(0, 16));
    expect(run(s, "ipv6")).toEqual({ delivered: [], icmp: [timeExceeded(60002)] });
    expect(delivered(run(s, "nfct"))).toEqual([original]);
    expect(runLinux(s, "nfct").trace[1]).toBe("event 1: nf_conntrack_frag6 dropped");
  });

  it("a second last fragment with the same end but wider: an overlap, killed by both", () => {
    const s = at(frag(24, 32), frag(16, 32), frag(0, 16), frag(16, 24));
    for (const path of ["ipv6", "nfct"] as const)
      expect(run(s, path)).toEqual({ delivered: [], icmp: [timeExceeded(60002)] });
  });

  it("M set and ending at the last fragment's end: not beyond the end; a duplicate, or an overlap", () => {
    expect(delivered(run(at(frag(16, 32), frag(16, 32, { more: true }), frag(0, 16)), "ipv6"))).toEqual([original]);
    const wider = at(frag(24, 32), frag(16, 32, { more: true }), frag(0, 24));
    for (const path of ["ipv6", "nfct"] as const)
      expect(run(wider, path)).toEqual({ delivered: [], icmp: [timeExceeded(60002)] });
  });

  it("bits beyond the end after the last fragment: plain kills the queue, conntrack drops the fragment", () => {
    const s = at(frag(16, 32), frag(32, 40, { more: true, data: new Uint8Array(8) }), frag(0, 16));
    expect(run(s, "ipv6")).toEqual({ delivered: [], icmp: [timeExceeded(60002)] });
    expect(runLinux(s, "nfct").trace[1]).toBe("event 1: nf_conntrack_frag6 dropped");
  });

  it("an overlap kills the queue holding the first fragment: no Time Exceeded later", () => {
    expect(run(at(frag(0, 16), frag(8, 24), frag(16, 32)), "ipv6")).toEqual({ delivered: [], icmp: [] });
  });

  it("a last fragment ending at 65535 is not oversized; beyond, conntrack drops it silently", () => {
    expect(run(at(frag(65528, 65535, { more: false, data: new Uint8Array(7) })), "ipv6")).toEqual({
      delivered: [],
      icmp: [],
    });
    expect(runLinux(at(frag(65528, 65544, { more: true, data: new Uint8Array(16) })), "nfct").trace[0]).toBe(
      "event 0: nf_conntrack_frag6 dropped",
    );
  });

  it("a zero-length fragment is not queued: its ECN does not count (conntrack)", () => {
    const s = at(frag(0, 8, { tc: 2 }), frag(8, 8, { more: true, tc: 0 }), frag(8, 32, { tc: 2 }));
    expect(delivered(run(s, "nfct"))).toHaveLength(1);
    expect(runLinux(s, "nfct").trace[1]).toBe("event 1: nf_conntrack_frag6 dropped");
  });

  it("no Parameter Problem about a fragment from the unspecified address", () => {
    const unspecified = buildDatagram({ ...SPEC, src: new Uint8Array(16) });
    expect(
      run(at(frag(0, 16, { parts: unspecified }), frag(16, 21, { parts: unspecified, more: true })), "ipv6").icmp,
    ).toEqual([]);
  });

  it("malformedKillsQueue (mainline 9ff2d2a98370): an oversized or unaligned fragment kills the queue; 6.18 keeps it", () => {
    const oversized = at(frag(0, 16), frag(65528, 65544, { more: true, data: new Uint8Array(16) }), frag(16, 32));
    const unaligned = at(frag(0, 16), frag(16, 21, { more: true }), frag(16, 32));
    for (const [s, pointer] of [
      [oversized, 42],
      [unaligned, 4],
    ] as const) {
      expect(run(s, "ipv6")).toEqual({
        delivered: [{ t: 2, packet: original }],
        icmp: [{ t: 1, type: 4, code: 0, pointer }],
      });
      expect(run(s, "ipv6", { malformedKillsQueue: true })).toEqual({
        delivered: [],
        icmp: [{ t: 1, type: 4, code: 0, pointer }],
      });
      expect(runLinux(s, "ipv6").trace[1]).toBe("event 1: ip6frag dropped");
      expect(runLinux(s, "ipv6", FRAG6_DEFAULT_CONFIG, { malformedKillsQueue: true }).trace[1]).toBe(
        "event 1: ip6frag killed",
      );
    }
  });
});

describe("the reassembled payload limit (ip6_frag_reasm: payload_len > IPV6_MAXPLEN)", () => {
  const full = { ...PARTS, fragmentable: new Uint8Array(65535).fill(7) };
  const withOption = buildDatagram({ ...SPEC, before: ["dst"] });
  const over = { ...withOption, fragmentable: new Uint8Array(65535).fill(7) };

  it("65,535 bytes of payload are delivered by every profile", () => {
    const s = at(frag(0, 32768, { parts: full }), frag(32768, 65535, { parts: full }));
    const whole = toHex(originalPacket(full));
    for (const path of ["ipv6", "nfct"] as const) expect(delivered(run(s, path))).toEqual([whole]);
    const e = frag6Expectation(s, "rfc8200");
    expect(e.kind === "choice" && e.groups[0]!.candidates.map((c) => c.delivered.map((d) => d.packet))).toEqual([
      [whole],
    ]);
  });

  it("an 8-byte option header before the Fragment header makes it 65,543: dropped by Linux, discarded by RFC 8200", () => {
    const s = at(frag(0, 32760, { parts: over }), frag(32760, 65535, { parts: over }));
    for (const path of ["ipv6", "nfct"] as const) {
      expect(run(s, path)).toEqual({ delivered: [], icmp: [] });
      const trace = runLinux(s, path).trace;
      expect(trace.slice(trace.indexOf("event 1: reassembled payload 65543 > IPV6_MAXPLEN: dropped"))).toEqual([
        "event 1: reassembled payload 65543 > IPV6_MAXPLEN: dropped",
        `event 1: ${path === "ipv6" ? "ip6frag" : "nf_conntrack_frag6"} killed`,
      ]);
    }
    const e = frag6Expectation(s, "rfc8200");
    expect(e.kind === "choice" && e.groups[0]!.candidates.every((c) => c.delivered.length === 0)).toBe(true);
  });
});

// Issue 20 items 1 and 2: extension-header content the kernel checks after (or before) reassembly.
describe("options headers on the way up (ip6_protocol_deliver_rcu(), ip6_parse_tlv())", () => {
  const rfcDeliveries = (s: ReturnType<typeof at>) => {
    const e = frag6Expectation(s, "rfc8200");
    return e.kind === "choice"
      ? e.groups.flatMap((g) => g.candidates.map((c) => c.delivered.map((d) => d.packet)))
      : [];
  };
  const twoFragments = (parts: ReturnType<typeof buildDatagram>) => {
    const L = parts.fragmentable.length;
    const cut = 8 * Math.floor(L / 16);
    return at(frag(0, cut, { parts }), frag(cut, L, { parts }));
  };

  it("a Hop-by-Hop header in the Fragmentable Part: no handler, Parameter Problem code 1 at the Next Header byte; RFC 8200 should discard it (Next Header 0 past the IPv6 header), or may hand it up", () => {
    const hop = buildDatagram({ ...SPEC, afterUnits: 1, afterKind: "hop" });
    const s = twoFragments(hop);
    for (const path of ["ipv6", "nfct"] as const)
      expect(run(s, path)).toEqual({ delivered: [], icmp: [{ t: 1, type: 4, code: 1, pointer: 6 }] });
    expect(rfcDeliveries(s)).toEqual([[], [toHex(originalPacket(hop))]]);
    // An atomic fragment goes the same way up, but keeps its Fragment header: ipv6_frag_rcv() sets nhoff to the
    // Fragment header itself, so the pointer is its Next Header byte, 40 (measured on 6.18; a CI run found it).
    const atomic = at(frag(0, hop.fragmentable.length, { parts: hop, more: false }));
    expect(run(atomic, "ipv6")).toEqual({ delivered: [], icmp: [{ t: 0, type: 4, code: 1, pointer: 40 }] });
  });

  it("more than 7 bytes of padding in a Destination Options header after the Fragment header: dropped; RFC 8200 delivers", () => {
    for (const options of ["padn", "pad1"] as const) {
      const padded = buildDatagram({ ...SPEC, afterUnits: 2, options });
      const s = twoFragments(padded);
      for (const path of ["ipv6", "nfct"] as const) expect(run(s, path)).toEqual({ delivered: [], icmp: [] });
      expect(rfcDeliveries(s)).toEqual([[toHex(originalPacket(padded))]]);
    }
  });

  it("6 bytes of padding (one 8-byte header) are accepted", () => {
    const padded = buildDatagram({ ...SPEC, afterUnits: 1, options: "padn", before: ["hop", "dst"] });
    for (const path of ["ipv6", "nfct"] as const)
      expect(delivered(run(twoFragments(padded), path))).toEqual([toHex(originalPacket(padded))]);
  });

  it("more than 7 bytes of padding before the Fragment header: every fragment dropped on its own, no queue", () => {
    const hop = buildDatagram({ ...SPEC, before: ["hop"], options: "padn", optionUnits: 2 });
    for (const path of ["ipv6", "nfct"] as const) {
      expect(run(twoFragments(hop), path)).toEqual({ delivered: [], icmp: [] });
      expect(runLinux(twoFragments(hop), path).trace[0]).toBe(
        "event 0: Hop-by-Hop options at byte 40: more than 7 bytes of padding at byte 42",
      );
    }
    const dst = buildDatagram({ ...SPEC, before: ["dst"], options: "pad1", optionUnits: 2 });
    expect(run(twoFragments(dst), "ipv6")).toEqual({ delivered: [], icmp: [] });
    expect(runLinux(twoFragments(dst), "ipv6").trace[0]).toBe(
      "event 0: Destination options at byte 40: more than 7 bytes of padding at byte 49",
    );
  });
});

describe("a packet without a Fragment header", () => {
  // Found on 6.18 (corpus/frag6/other-datagrams-unaffected/5b095530974a948e.json): its own Destination
  // Options are processed on the way up (ip6_parse_tlv()), so a padding run over 7 bytes drops it.
  const udpBehindPadN = (units: number) => {
    const optionsLength = 8 * (units + 1);
    const p = new Uint8Array(40 + optionsLength + 8);
    p.set([0x60, 0, 0, 0, 0, optionsLength + 8, 60, 64]);
    p[23] = 1;
    p[39] = 2;
    p.set([17, units, 1, optionsLength - 4], 40); // Destination Options, UDP next: one PadN filling it
    p.set([0x30, 0x39, 0, 0x35, 0, 8, 0, 0], 40 + optionsLength);
    return p;
  };
  for (const path of ["ipv6", "nfct"] as const) {
    it(`is dropped behind a 14-byte PadN, delivered behind a 6-byte one (${path})`, () => {
      expect(delivered(run(at(udpBehindPadN(1)), path))).toEqual([]);
      expect(delivered(run(at(udpBehindPadN(0)), path))).toEqual([toHex(udpBehindPadN(0))]);
    });
  }
});
