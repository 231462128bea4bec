// The frag6 model's rules beyond the kernel-facts table.
import { describe, expect, it } from "vitest";
import { judgeFrag6 } from "../../model/frag6/judge.js";
import { fragEcn } from "../../model/frag6/linux-node.js";
import { FRAG6_DEFAULT_CONFIG } from "../../model/frag6/profiles.js";
import { frag6Expectation, runLinux } from "../../model/frag6/run.js";
import { emptyRuns, queueInsert } from "../../model/frag6/runs.js";
import { buildDatagram } from "../../wire/ipv6-datagram.js";
import { toHex } from "../../wire/hex.js";
import { at, frag, ORIGINAL, PARTS, SPEC } from "./frag6-helpers.js";

const original = toHex(ORIGINAL);

describe("inet_frag_queue_insert runs", () => {
  it("is order-dependent: [0,8) [8,16) then [0,16) is a duplicate; [8,16) [0,8) then [0,16) an overlap", () => {
    const a = emptyRuns();
    expect([queueInsert(a, 0, 8), queueInsert(a, 8, 16), queueInsert(a, 0, 16)]).toEqual(["ok", "ok", "dup"]);
    const b = emptyRuns();
    expect([queueInsert(b, 8, 16), queueInsert(b, 0, 8), queueInsert(b, 0, 16)]).toEqual(["ok", "ok", "overlap"]);
  });

  it("tail path: overlap when starting before the tail's end, new run after a gap", () => {
    const r = emptyRuns();
    expect([queueInsert(r, 0, 8), queueInsert(r, 16, 24), queueInsert(r, 20, 32)]).toEqual(["ok", "ok", "overlap"]);
    expect(r.runs).toEqual([
      { start: 0, end: 8 },
      { start: 16, end: 24 },
    ]);
  });
});

describe("rfc8200 outcome sets", () => {
  it("an exact duplicate may be dropped (delivered) or abandon the datagram (nothing)", () => {
    const e = frag6Expectation(at(frag(0, 16), frag(0, 16), frag(16, 32)), "rfc8200");
    expect(judgeFrag6(e, { delivered: [{ t: 2, packet: original }], icmp: [] }).ok).toBe(true);
    expect(judgeFrag6(e, { delivered: [], icmp: [] }).ok).toBe(true);
    expect(
      judgeFrag6(e, {
        delivered: [
          { t: 2, packet: original },
          { t: 2, packet: original },
        ],
      }).ok,
    ).toBe(false);
  });

  it("an overlap abandons the datagram silently: no delivery, no ICMP", () => {
    const e = frag6Expectation(at(frag(0, 16), frag(8, 24), frag(16, 32)), "rfc8200");
    expect(judgeFrag6(e, { delivered: [], icmp: [] }).ok).toBe(true);
    expect(judgeFrag6(e, { delivered: [{ t: 2, packet: original }] }).ok).toBe(false);
    expect(judgeFrag6(e, { delivered: [], icmp: [{ t: 1, type: 4, code: 0, pointer: 0 }] }).ok).toBe(false);
  });

  it("Time Exceeded only if the offset-0 fragment arrived, and optional", () => {
    const withFirst = frag6Expectation(at(frag(0, 16)), "rfc8200");
    expect(judgeFrag6(withFirst, { delivered: [], icmp: [{ t: 60000, type: 3, code: 1, pointer: 0 }] }).ok).toBe(true);
    expect(judgeFrag6(withFirst, { delivered: [], icmp: [] }).ok).toBe(true);
    const without = frag6Expectation(at(frag(16, 32)), "rfc8200");
    expect(judgeFrag6(without, { delivered: [], icmp: [{ t: 60000, type: 3, code: 1, pointer: 0 }] }).ok).toBe(false);
  });
});

describe("Linux details", () => {
  it("Time Exceeded code 1 at the deadline only when the first fragment came; none about an ICMPv6 error message", () => {
    expect(runLinux(at(frag(0, 16)), "ipv6").outcome.icmp).toEqual([{ t: 60000, type: 3, code: 1, pointer: 0 }]);
    expect(runLinux(at(frag(16, 32)), "nfct").outcome.icmp).toEqual([]);
    const error = buildDatagram({ ...SPEC, upper: "icmpv6", icmpType: 1 });
    expect(runLinux(at(frag(0, 16, { parts: error })), "ipv6").outcome.icmp).toEqual([]);
  });

  it("ECN: CE with ECT gives CE; Not-ECT mixed with ECT drops the datagram (ip_frag_ecn_table)", () => {
    expect(fragEcn(0b1000 | 0b0100)).toBe(3);
    expect(fragEcn(0b0001 | 0b0100)).toBe(0xff);
    expect(fragEcn(0b0001)).toBe(0);
    expect(runLinux(at(frag(0, 16, { tc: 1 }), frag(16, 32, { tc: 0 })), "ipv6").outcome.delivered).toEqual([]);
    const ce = runLinux(at(frag(0, 16, { tc: 2 }), frag(16, 32, { tc: 3 })), "ipv6").outcome.delivered[0]!.packet;
    expect(parseInt(ce.slice(1, 3), 16) & 3).toBe(3);
  });

  it("above high_thresh no fragment finds a queue, not even an existing one", () => {
    const config = { ...FRAG6_DEFAULT_CONFIG, highThresh: 500 };
    expect(runLinux(at(frag(0, 16), frag(16, 32)), "ipv6", config).outcome.delivered).toEqual([]);
    expect(runLinux(at(frag(0, 16), frag(16, 32)), "ipv6").outcome.delivered.map((d) => d.packet)).toEqual([original]);
  });

  it("a queue expires timeoutMs after its first fragment, not its last", () => {
    const events = [
      { t: 0, packet: frag(0, 8) },
      { t: 59_000, packet: frag(8, 16) },
      { t: 60_001, packet: frag(16, 32) },
    ];
    expect(runLinux(events, "ipv6").outcome.delivered).toEqual([]);
    expect(PARTS.fragmentable.length).toBe(32);
  });
});
