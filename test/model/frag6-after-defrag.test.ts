// linux-nfct: what the plain stack does with a datagram conntrack reassembled
// when a Destination Options or Routing header stood before the Fragment
// header (model/frag6/after-defrag.ts). The streams are the ones measured on
// 6.18 (docs/model-frag6.md).
import { describe, expect, it } from "vitest";
import { frag6Expectation, runLinux } from "../../model/frag6/run.js";
import { buildDatagram, type DatagramSpec } from "../../wire/ipv6-datagram.js";
import { at, frag, SPEC } from "./frag6-helpers.js";

/** A datagram whose first Fragmentable bytes are `payload` if given, split after the first `split` bytes. */
function stream(spec: Partial<DatagramSpec>, payload?: Uint8Array, split = 8) {
  const parts = buildDatagram({ ...SPEC, ...spec });
  if (payload) parts.fragmentable.set(payload.subarray(0, parts.fragmentable.length));
  return at(frag(0, split, { parts }), frag(split, parts.fragmentable.length, { parts }));
}

const bytes = (...b: number[]) => Uint8Array.from(b);

describe("frag6 linux-nfct: the plain stack reads a conntrack-reassembled datagram at nhoff", () => {
  it("delivers when nothing but Hop-by-Hop stands before the Fragment header", () => {
    for (const before of [[], ["hop"]] as const) {
      const events = stream({ before: [...before] });
      expect(runLinux(events, "nfct").outcome.delivered).toHaveLength(1);
    }
  });

  it("UDP behind a Routing header: the port bytes are read as Routing Type 0 with Segments Left 53, Parameter Problem code 0 at the type", () => {
    // 12345 -> 53: Hdr Ext Len 0x39 asks for 464 bytes, so the datagram must be that long.
    const events = stream({ before: ["routing"], upper: "udp", payloadLength: 600 });
    const { outcome } = runLinux(events, "nfct");
    expect(outcome.delivered).toEqual([]);
    expect(outcome.icmp).toEqual([{ t: 1, type: 4, code: 0, pointer: 40 + 8 + 2 }]);
    // The plain stack alone delivers the same stream.
    expect(runLinux(events, "ipv6").outcome.delivered).toHaveLength(1);
  });

  it("a misread header longer than the datagram is dropped without ICMP (pskb_may_pull)", () => {
    const { outcome } = runLinux(stream({ before: ["dst"], upper: "udp", payloadLength: 24 }), "nfct");
    expect(outcome).toEqual({ delivered: [], icmp: [] });
  });

  it("Destination Options misread: an unknown option with action 10 gets Parameter Problem code 2 at the option", () => {
    const events = stream(
      { before: ["dst"], upper: "unassigned", payloadLength: 24 },
      bytes(17, 0, 0xc1, 4, 0, 0, 0, 0),
    );
    expect(runLinux(events, "nfct").outcome.icmp).toEqual([{ t: 1, type: 4, code: 2, pointer: 40 + 8 + 2 }]);
  });

  it("Destination Options misread: action 01 discards silently; PadN with a non-zero byte and padding over 7 bytes are dropped", () => {
    for (const misread of [
      bytes(17, 0, 0x41, 4, 0, 0, 0, 0),
      bytes(17, 0, 1, 4, 0, 0, 9, 0),
      bytes(17, 1, 1, 12, 0, 0, 0, 0),
    ]) {
      const { outcome } = runLinux(
        stream({ before: ["dst"], upper: "unassigned", payloadLength: 24 }, misread),
        "nfct",
      );
      expect(outcome).toEqual({ delivered: [], icmp: [] });
    }
  });

  it("a valid misread header passes on to the protocol its first byte names: unregistered 128 gets code 1 at nhoff", () => {
    const events = stream({ before: ["dst"], upper: "unassigned", payloadLength: 24 }, bytes(128, 0, 1, 4, 0, 0, 0, 0));
    expect(runLinux(events, "nfct").outcome.icmp).toEqual([{ t: 1, type: 4, code: 1, pointer: 48 }]);
  });

  it("a misread chain that reaches a Fragment header is refused as on an already reassembled skb", () => {
    const events = stream(
      { before: ["routing"], upper: "unassigned", payloadLength: 24 },
      bytes(44, 0, 253, 0, 0, 0, 0, 0),
    );
    expect(runLinux(events, "nfct").outcome.icmp).toEqual([{ t: 1, type: 4, code: 0, pointer: 56 }]);
  });

  it("a real Destination Options header after the Fragment header is read in the right place behind a misread one", () => {
    const events = stream({ before: ["dst"], afterUnits: 1, upper: "udp", payloadLength: 24 }, undefined, 16);
    expect(runLinux(events, "nfct").outcome.delivered).toHaveLength(1);
  });

  it("segment routing types are dropped while disabled; Segments Left 0 passes", () => {
    const drop = stream(
      { before: ["routing"], upper: "unassigned", payloadLength: 24 },
      bytes(17, 0, 4, 1, 0, 0, 0, 0),
    );
    expect(runLinux(drop, "nfct").outcome).toEqual({ delivered: [], icmp: [] });
    const pass = stream(
      { before: ["routing"], upper: "unassigned", payloadLength: 24 },
      bytes(59, 0, 9, 0, 0, 0, 0, 0),
    );
    expect(runLinux(pass, "nfct").outcome).toEqual({ delivered: [], icmp: [] }); // No Next Header: discarded
  });

  it("says the outcome is not predicted when bytes reach an upper layer away from the datagram's own header, or a configuration-dependent handler", () => {
    const upper = stream({ before: ["dst"], upper: "unassigned", payloadLength: 24 }, bytes(17, 0, 1, 4, 0, 0, 0, 0));
    const e = frag6Expectation(upper, "linux-nfct");
    expect(e.kind === "exact" && e.undetermined).toMatch(/protocol 17/);
    const tunnel = stream({ before: ["dst"], upper: "unassigned", payloadLength: 24 }, bytes(41, 0, 1, 4, 0, 0, 0, 0));
    const t = frag6Expectation(tunnel, "linux-nfct");
    expect(t.kind === "exact" && t.undetermined).toMatch(/configuration/);
    expect(frag6Expectation(upper, "linux-ipv6")).not.toHaveProperty("undetermined");
  });

  it("no Parameter Problem about an ICMPv6 error message (is_ineligible)", () => {
    const events = stream({ before: ["routing"], upper: "icmpv6", icmpType: 1, payloadLength: 600 });
    expect(runLinux(events, "nfct").outcome).toEqual({ delivered: [], icmp: [] });
  });
});
