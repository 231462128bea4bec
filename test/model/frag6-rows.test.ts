// One test per row of kernel-facts.md's table of patterns where Linux's
// plain stack (linux-ipv6) and its conntrack reassembler (linux-nfct)
// disagree, plus the inet_frag_queue_insert order example.
import { describe, expect, it } from "vitest";
import { runLinux } from "../../model/frag6/run.js";
import { toHex } from "../../wire/hex.js";
import { at, frag, ORIGINAL, PARTS } from "./frag6-helpers.js";
import { buildDatagram, originalPacket } from "../../wire/ipv6-datagram.js";
import { SPEC } from "./frag6-helpers.js";

const ipv6 = (events: ReturnType<typeof at>) => runLinux(events, "ipv6").outcome;
const nfct = (events: ReturnType<typeof at>) => runLinux(events, "nfct").outcome;
const original = toHex(ORIGINAL);
const delivered = (o: { delivered: { packet: string }[] }) => o.delivered.map((d) => d.packet);
const other = (b: Uint8Array) => b.map((x) => x ^ 0xff);

describe("kernel-facts: plain stack vs conntrack reassembler", () => {
  it("contained fragment with the same bytes: delivered by both", () => {
    const s = at(frag(0, 16), frag(16, 32), frag(8, 16));
    // Complete before the contained one arrives, which then starts a queue of its own: delivered once.
    expect(delivered(ipv6(s))).toEqual([original]);
    const t = at(frag(0, 16), frag(8, 16), frag(16, 32));
    expect(delivered(ipv6(t))).toEqual([original]);
    expect(delivered(nfct(t))).toEqual([original]);
  });

  it("contained fragment with other bytes: delivered by both, first data wins", () => {
    const s = at(frag(0, 16), frag(8, 16, { data: other(PARTS.fragmentable.slice(8, 16)) }), frag(16, 32));
    expect(delivered(ipv6(s))).toEqual([original]);
    expect(delivered(nfct(s))).toEqual([original]);
  });

  it("exact duplicate last fragment: delivered by both", () => {
    const s = at(frag(16, 32), frag(16, 32), frag(0, 16));
    expect(delivered(ipv6(s))).toEqual([original]);
    expect(delivered(nfct(s))).toEqual([original]);
  });

  it("partial overlap: discarded by both", () => {
    const s = at(frag(0, 16), frag(8, 24), frag(16, 32));
    expect(delivered(ipv6(s))).toEqual([]);
    expect(delivered(nfct(s))).toEqual([]);
  });

  it("overlap across two runs: discarded by both; the same fragments in order: a duplicate, delivered", () => {
    const runs = at(frag(8, 16), frag(0, 8), frag(0, 16), frag(16, 32));
    expect(delivered(ipv6(runs))).toEqual([]);
    expect(delivered(nfct(runs))).toEqual([]);
    const ordered = at(
      frag(0, 8),
      frag(8, 16),
      frag(0, 16, { data: other(PARTS.fragmentable.slice(0, 16)) }),
      frag(16, 32),
    );
    expect(delivered(ipv6(ordered))).toEqual([original]);
  });

  it("zero-length middle fragment: plain discards, conntrack delivers", () => {
    const s = at(frag(0, 8), frag(8, 8, { more: true }), frag(8, 32));
    expect(delivered(ipv6(s))).toEqual([]);
    expect(delivered(nfct(s))).toEqual([original]);
  });

  it("two different last fragments: plain discards, conntrack delivers", () => {
    const t = at(frag(16, 32), frag(24, 40, { more: false, data: new Uint8Array(16) }), frag(0, 16));
    expect(delivered(ipv6(t))).toEqual([]);
    expect(delivered(nfct(t))).toEqual([original]);
  });

  it("fragment beyond the end after the last: plain discards, conntrack delivers", () => {
    const s = at(frag(16, 32), frag(32, 40, { more: true, data: new Uint8Array(8) }), frag(0, 16));
    expect(delivered(ipv6(s))).toEqual([]);
    expect(delivered(nfct(s))).toEqual([original]);
  });

  it("non-8-aligned non-last fragment, then valid ones: plain sends Parameter Problem (code 0, pointer 4) and delivers; conntrack discards", () => {
    const s = at(frag(0, 8), frag(8, 13, { more: true }), frag(8, 16), frag(16, 32));
    const p = ipv6(s);
    expect(delivered(p)).toEqual([original]);
    expect(p.icmp).toEqual([{ t: 1, type: 4, code: 0, pointer: 4 }]);
    const n = nfct(s);
    expect(delivered(n)).toEqual([]);
    // Source, beyond the table: nf_ct_frag6_queue() returns -EPROTO, the fragment goes on to the stack, which answers it.
    expect(n.icmp).toEqual([{ t: 1, type: 4, code: 0, pointer: 4 }]);
  });

  it("atomic fragment while a queue with the same id is pending: plain delivers it, conntrack discards it", () => {
    const small = buildDatagram({ ...SPEC, payloadLength: 4, fill: 9 });
    const atomic = frag(0, small.fragmentable.length, { parts: small, more: false });
    const s = at(frag(8, 16), atomic);
    expect(delivered(ipv6(s))).toEqual([toHex(originalPacket(small))]);
    expect(delivered(nfct(s))).toEqual([]);
  });

  it("end > 65535: plain sends Parameter Problem pointing at the Fragment Offset and delivers; conntrack drops the fragment silently and delivers", () => {
    const s = at(frag(65528, 65544, { more: true, data: new Uint8Array(16) }), frag(0, 16), frag(16, 32));
    const p = ipv6(s);
    expect(delivered(p)).toEqual([original]);
    expect(p.icmp).toEqual([{ t: 0, type: 4, code: 0, pointer: 42 }]);
    const n = nfct(s);
    expect(delivered(n)).toEqual([original]);
    expect(n.icmp).toEqual([]);
  });

  it("tiny first fragment: Parameter Problem code 3 pointer 0 and discarded, on both", () => {
    const tcp = buildDatagram({ ...SPEC, upper: "tcp", payloadLength: 12 });
    const s = at(frag(0, 8, { parts: tcp }), frag(8, 32, { parts: tcp }));
    for (const o of [ipv6(s), nfct(s)]) {
      expect(delivered(o)).toEqual([]);
      expect(o.icmp).toEqual([{ t: 0, type: 4, code: 3, pointer: 0 }]);
    }
  });
});
