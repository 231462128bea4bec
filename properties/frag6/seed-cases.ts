// Regression cases for corpus/frag6: each row of kernel-facts.md's table of
// patterns where the plain stack and the conntrack reassembler disagree,
// FragmentSmack-style floods within bounds, and the overlap cases of the
// Linux selftest tools/testing/selftests/net/ip_defrag.c. Inputs are
// profile-independent: a check recomputes the prediction of the profile it
// judges, so each case holds under all three profiles.
import { FRAG6_DEFAULT_CONFIG, type Frag6Config } from "../../model/frag6/profiles.js";
import { toHex } from "../../wire/hex.js";
import { buildFragmentPacket, type DatagramParts } from "../../wire/ipv6-fragment.js";
import { buildDatagram, originalPacket, payloadBytes, type DatagramSpec } from "../../wire/ipv6-datagram.js";
import type { Frag6Class, StreamInput } from "./stream.js";

/** The seed cases' datagram: UDP 2001:db8::1 -> 2001:db8::2, 24 bytes of payload (fill 42). */
export const SEED_DATAGRAM: DatagramSpec = {
  src: Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1]),
  dst: Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 2]),
  trafficClass: 0,
  before: [],
  afterUnits: 0,
  upper: "udp",
  icmpType: 128,
  payloadLength: 24,
  fill: 42,
};

export interface SeedCase {
  name: string;
  note: string;
  input: StreamInput;
}

type Piece = [
  from: number,
  to: number,
  options?: { more?: boolean; data?: Uint8Array; id?: number; parts?: DatagramParts },
];

function stream(
  labels: Frag6Class[],
  pieces: Piece[],
  options: { parts?: DatagramParts; extra?: DatagramParts[]; config?: Frag6Config; step?: number } = {},
): StreamInput {
  const main = options.parts ?? buildDatagram(SEED_DATAGRAM);
  const events = pieces.map(([from, to, o = {}], i) => {
    const parts = o.parts ?? main;
    const packet = buildFragmentPacket({
      ...parts,
      offset: from,
      more: o.more ?? to < parts.fragmentable.length,
      identification: o.id ?? 7,
      data: o.data ?? parts.fragmentable.slice(from, to),
    });
    return { t: i * (options.step ?? 1), packet: toHex(packet) };
  });
  return {
    events,
    config: options.config ?? FRAG6_DEFAULT_CONFIG,
    labels,
    originals: [main, ...(options.extra ?? [])].map((p) => toHex(originalPacket(p))),
  };
}

const flip = (b: Uint8Array) => b.map((x) => x ^ 0xff);

export function frag6SeedCases(): SeedCase[] {
  const parts = buildDatagram(SEED_DATAGRAM);
  const small = buildDatagram({ ...SEED_DATAGRAM, payloadLength: 4, fill: 9 });
  const tcp = buildDatagram({ ...SEED_DATAGRAM, upper: "tcp", payloadLength: 12 });
  const big = buildDatagram({ ...SEED_DATAGRAM, payloadLength: 1400, fill: 3 });
  const headed = buildDatagram({ ...SEED_DATAGRAM, before: ["hop", "dst"] });
  const cases: SeedCase[] = [
    {
      name: "contained-same-bytes",
      note: "both Linux paths: duplicate (contained in a run), delivered; rfc8200: overlap, discarded",
      input: stream(
        ["overlap-contained-equal"],
        [
          [0, 16],
          [8, 16],
          [16, 32],
        ],
      ),
    },
    {
      name: "contained-other-bytes",
      note: "both Linux paths: delivered with the first data; rfc8200: discarded",
      input: stream(
        ["overlap-contained-different"],
        [
          [0, 16],
          [8, 16, { data: flip(parts.fragmentable.slice(8, 16)) }],
          [16, 32],
        ],
      ),
    },
    {
      name: "duplicate-last",
      note: "exact duplicate last fragment: delivered by both Linux paths; rfc8200 may drop the duplicate or abandon",
      input: stream(
        ["duplicate-exact"],
        [
          [16, 32],
          [16, 32],
          [0, 16],
        ],
      ),
    },
    {
      name: "partial-overlap",
      note: "discarded by both",
      input: stream(
        ["overlap-partial-tail"],
        [
          [0, 16],
          [8, 24],
          [16, 32],
        ],
      ),
    },
    {
      name: "overlap-across-runs",
      note: "[8,16), [0,8), then [0,16): two runs, overlap: discarded by both",
      input: stream(
        ["overlap-across-runs"],
        [
          [8, 16],
          [0, 8],
          [0, 16],
          [16, 32],
        ],
      ),
    },
    {
      name: "zero-length-middle",
      note: "plain: discarded; conntrack: delivered",
      input: stream(
        ["zero-length"],
        [
          [0, 8],
          [8, 8, { more: true }],
          [8, 32],
        ],
      ),
    },
    {
      name: "two-different-last",
      note: "plain: discarded; conntrack: delivered",
      input: stream(
        ["conflicting-last"],
        [
          [16, 32],
          [24, 40, { more: false, data: new Uint8Array(16) }],
          [0, 16],
        ],
      ),
    },
    {
      name: "beyond-end-after-last",
      note: "plain: discarded; conntrack: delivered",
      input: stream(
        ["beyond-end"],
        [
          [16, 32],
          [32, 40, { more: true, data: new Uint8Array(8) }],
          [0, 16],
        ],
      ),
    },
    {
      name: "unaligned-then-valid",
      note: "plain (6.18): Parameter Problem pointer 4, delivered; conntrack: queue killed, discarded (the stack answers the fragment)",
      input: stream(
        ["unaligned"],
        [
          [0, 8],
          [8, 13, { more: true }],
          [8, 16],
          [16, 32],
        ],
      ),
    },
    {
      name: "atomic-beside-pending",
      note: "plain: atomic delivered at once; conntrack: discarded",
      input: stream(
        ["atomic-beside-queue"],
        [
          [8, 16],
          [0, small.fragmentable.length, { parts: small, more: false }],
        ],
        { extra: [small] },
      ),
    },
    {
      name: "end-past-65535",
      note: "plain: Parameter Problem at the Fragment Offset, delivered; conntrack: dropped silently, delivered",
      input: stream(
        ["oversized"],
        [
          [65528, 65544, { more: true, data: new Uint8Array(16) }],
          [0, 16],
          [16, 32],
        ],
      ),
    },
    {
      name: "zero-length-first",
      note: "a first fragment of 0 bytes with M set, then the datagram: both Linux paths: Parameter Problem code 3 pointer 0 (no upper-layer header), delivered; rfc8200 also allows code 0 at the Payload Length (RFC 4443 section 3.4; issue 20 item 4a)",
      input: stream(
        ["zero-length"],
        [
          [0, 0, { more: true }],
          [0, 16],
          [16, 32],
        ],
      ),
    },
    {
      name: "oversized-by-first-headers",
      note: "a fragment ending at 65527, then a first fragment whose 16 bytes of headers push the reassembled Payload Length past 65535: both Linux paths hold it until the timeout; rfc8200 also allows discarding it then with a Parameter Problem at its Fragment Offset (issue 20 item 4b)",
      input: stream(
        ["oversized"],
        [
          [65520, 65527, { more: false, data: payloadBytes(7, 11) }],
          [0, 16, { parts: headed }],
        ],
        // Both at t=0: sent back to back, either may have armed the timer, and the kernel IUT then reports its Time Exceeded.
        { step: 0 },
      ),
    },
    {
      name: "tiny-first-fragment",
      note: "Parameter Problem code 3 pointer 0, discarded, on both",
      input: stream(
        ["tiny-first"],
        [
          [0, 8],
          [8, 32],
        ],
        { parts: tcp },
      ),
    },
  ];
  // FragmentSmack (CVE-2018-5391) within bounds: small out-of-order fragments of many identifications push memory past a 32 KiB high_thresh; a datagram sent after them is refused by Linux.
  const flood: Piece[] = [];
  for (let i = 0; i < 40; i++)
    flood.push([
      8 * (1 + ((i * 37) % 200)),
      8 * (2 + ((i * 37) % 200)),
      { more: true, id: 1000 + i, data: payloadBytes(8, i) },
    ]);
  const smallThresh = { ...FRAG6_DEFAULT_CONFIG, highThresh: 32768, lowThresh: 24576 };
  cases.push({
    name: "fragmentsmack-many-ids",
    note: "memory past high_thresh: Linux refuses the later datagram's fragments",
    input: stream(["flood"], [...flood, [0, 16], [16, 32]], { config: smallThresh }),
  });
  // FragmentSmack with overlaps: many overlapping 8-byte fragments of one identification; each overlap kills the queue.
  const overlaps: Piece[] = [];
  for (let i = 0; i < 60; i++)
    overlaps.push([8 * (i % 5), 8 * (i % 5) + 16, { more: true, id: 2000, data: payloadBytes(16, i) }]);
  cases.push({
    name: "fragmentsmack-overlaps",
    note: "overlapping small fragments of one identification, then an unrelated datagram that must still be delivered",
    input: stream(["flood"], [...overlaps, [0, 16], [16, 32]], { config: smallThresh }),
  });
  // tools/testing/selftests/net/ip_defrag.c, overlap mode: an extra fragment at offset 8, UDP_HLEN + max_frag_len long, after the first one: no datagram may be delivered.
  cases.push({
    name: "ip-defrag-selftest-overlap-fixed",
    note: "ip_defrag.c overlap with hard-coded offset 8: discarded by every profile",
    input: stream(
      ["overlap-partial-head"],
      [
        [0, 256],
        [8, 8 + 264],
        [256, 512],
        [512, 768],
        [768, big.fragmentable.length],
      ],
      { parts: big },
    ),
  });
  cases.push({
    name: "ip-defrag-selftest-overlap-random",
    note: "ip_defrag.c overlap with offset < payload/2 and 2 * max_frag_len + 1 + n bytes, rounded down to 8: discarded by every profile",
    input: stream(
      ["overlap-containing"],
      [
        [0, 256],
        [256, 512],
        [96, 96 + ((2 * 256 + 1 + 77) & ~7)],
        [512, 768],
        [768, big.fragmentable.length],
      ],
      { parts: big },
    ),
  });
  return cases;
}
