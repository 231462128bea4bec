// The checksum area's properties. Each compares the IUT with the model of the
// profile it is judged against.
import fc from "fast-check";
import { checksumCheckentry } from "../../model/checksum/checkentry.js";
import { checksumTarget, zeroStoredAs, type ChecksumProfile } from "../../model/checksum/checksum-target.js";
import { CHECKSUM_RULES } from "../../model/checksum/rule-catalogue.js";
import { RuleTrace } from "../../model/rules.js";
import { explanation, lastHitAt } from "../explain.js";
import { incrementalUpdate } from "../../wire/internet-checksum.js";
import {
  checksumVerifies,
  readChecksumField,
  recomputedChecksum,
  transportLayout,
} from "../../model/checksum/packet-checksum.js";
import { bytesEqual, describeByteDifference, fromHex, toHex } from "../../wire/hex.js";
import { LINKTYPE_RAW } from "../../wire/pcap.js";
import type { CasePackets, CheckOutcome, ConformanceProperty } from "../property.js";
import { checkentryInput, fillInput, offloadedPacket, type FillInput } from "./generators.js";
import { asRecord, validateCheckentryInput, validateFillInput, validPacketHex } from "./input-validation.js";
import { iutCheckentry, iutFill } from "./iut-calls.js";

const TARGET = "net/netfilter/xt_CHECKSUM.c checksum_tg()";
const HELP = "net/core/dev.c skb_checksum_help()";

function hex16(value: number): string {
  return `0x${value.toString(16).padStart(4, "0")}`;
}

/** Compares two packets; the outcome carries both as hex. */
function packetOutcome(expected: Uint8Array, observed: Uint8Array, extra?: string): CheckOutcome {
  const ok = bytesEqual(expected, observed);
  return {
    ok,
    expected: { packet: toHex(expected) },
    observed: { packet: toHex(observed) },
    ...(ok ? {} : { message: `${extra ? `${extra}; ` : ""}${describeByteDifference(expected, observed)}` }),
  };
}

function fillPackets(input: { packet: string }, outcome: CheckOutcome): CasePackets {
  const packets = [{ label: "input", data: fromHex(input.packet) }];
  for (const [label, side] of [
    ["expected", outcome.expected],
    ["observed", outcome.observed],
  ] as const) {
    const hex = (side as { packet?: unknown } | null)?.packet;
    if (typeof hex === "string" && hex.length > 0) packets.push({ label, data: fromHex(hex) });
  }
  return { linktype: LINKTYPE_RAW, packets };
}

const fillMatchesModel: ConformanceProperty<FillInput> = {
  area: "checksum",
  name: "fill-matches-model",
  statement:
    "For every packet, checksum state and GSO flag, the packet after the target equals the model's, byte for byte.",
  citation: `${TARGET}; ${HELP}`,
  ops: ["checksum.fill"],
  arbitrary: () => fillInput(),
  validateInput: validateFillInput,
  async check(input, { iut, profile }) {
    const packet = fromHex(input.packet);
    const expected = checksumTarget({ packet, state: input.state, gso: input.gso }, profile as ChecksumProfile).packet;
    return packetOutcome(expected, await iutFill(iut, packet, input.state, input.gso));
  },
  packets: fillPackets,
};

const partialNotGso = () => fillInput({ states: ["partial"] }).map((i) => ({ ...i, gso: false }));

const fillVerifies: ConformanceProperty<FillInput> = {
  area: "checksum",
  name: "filled-packet-verifies",
  statement:
    "A CHECKSUM_PARTIAL, non-GSO packet leaves the target with a checksum that verifies (pseudo-header plus segment folds to 0xffff) and with no other byte changed.",
  citation: `${HELP}; RFC 1071 section 1`,
  ops: ["checksum.fill"],
  arbitrary: partialNotGso,
  validateInput: validateFillInput,
  async check(input, { iut }) {
    const packet = fromHex(input.packet);
    const observed = await iutFill(iut, packet, input.state, input.gso);
    const { fieldOffset } = transportLayout(packet);
    const sameLength = observed.length === packet.length;
    const otherBytesKept =
      sameLength && packet.every((b, i) => i === fieldOffset || i === fieldOffset + 1 || observed[i] === b);
    // A reply too mangled to parse does not verify either.
    let verifies = false;
    try {
      verifies = sameLength && checksumVerifies(observed);
    } catch {
      verifies = false;
    }
    const ok = otherBytesKept && verifies;
    return {
      ok,
      expected: { verifies: true, otherBytesKept: true },
      observed: { verifies, otherBytesKept, packet: toHex(observed) },
      ...(ok
        ? {}
        : {
            message: otherBytesKept
              ? "the filled checksum does not verify"
              : `bytes other than the checksum field changed: ${describeByteDifference(packet, observed)}`,
            key: otherBytesKept ? "checksum does not verify" : "other bytes changed",
          }),
    };
  },
  packets: fillPackets,
};

const fillEqualsRecompute: ConformanceProperty<FillInput> = {
  area: "checksum",
  name: "fill-equals-recompute",
  statement:
    "The checksum the target stores in a CHECKSUM_PARTIAL, non-GSO packet equals one computed from scratch over pseudo-header and segment; a computed 0 is stored as the profile says (0xffff, CSUM_MANGLED_0, for TCP and UDP alike in current Linux).",
  citation: `${HELP}; RFC 1071; RFC 768`,
  ops: ["checksum.fill"],
  arbitrary: partialNotGso,
  validateInput: validateFillInput,
  async check(input, { iut, profile }) {
    const packet = fromHex(input.packet);
    const observed = await iutFill(iut, packet, input.state, input.gso);
    const scratch = recomputedChecksum(packet);
    const expected = scratch === 0 ? zeroStoredAs(profile as ChecksumProfile) : scratch;
    let field: number | null = null;
    try {
      field = observed.length === packet.length ? readChecksumField(observed) : null;
    } catch {
      field = null;
    }
    const ok = field === expected;
    return {
      ok,
      expected: { checksum: hex16(expected) },
      observed: { checksum: field === null ? null : hex16(field), packet: toHex(observed) },
      ...(ok
        ? {}
        : {
            message: `stored checksum ${field === null ? "unreadable" : hex16(field)}, recomputed ${hex16(expected)}`,
            // A computed 0 has its own rule (CSUM_MANGLED_0).
            key: field === null ? "unreadable reply" : scratch === 0 ? "a computed 0 stored wrong" : "stored checksum",
          }),
    };
  },
  packets: fillPackets,
};

interface IncrementalInput {
  packet: string;
  /** Even offset of the changed 16-bit word within the transport segment (not the checksum or length fields). */
  segmentOffset: number;
  newWord: number;
}

/** Segment offsets whose words can change without touching the checksum, UDP length or TCP header length. */
function changeableOffsets(packet: Uint8Array): number[] {
  const { ip, fieldOffset } = transportLayout(packet);
  const segmentLength = packet.length - ip.transportOffset;
  const isUdp = fieldOffset - ip.transportOffset === 6;
  const fixed = isUdp ? [4, 6] : [12, 16];
  const offsets: number[] = [];
  for (let o = 0; o < segmentLength; o += 2) if (!fixed.includes(o)) offsets.push(o);
  return offsets;
}

function changeWord(
  packet: Uint8Array,
  segmentOffset: number,
  newWord: number,
): { changed: Uint8Array; oldWord: number; newWord: number } {
  const { ip } = transportLayout(packet);
  const at = ip.transportOffset + segmentOffset;
  const odd = at + 1 >= packet.length; // the last byte of an odd segment counts as word (byte << 8)
  const oldWord = odd ? packet[at]! << 8 : (packet[at]! << 8) | packet[at + 1]!;
  const word = odd ? newWord & 0xff00 : newWord;
  const changed = packet.slice();
  changed[at] = word >> 8;
  if (!odd) changed[at + 1] = word & 0xff;
  return { changed, oldWord, newWord: word };
}

const incrementalEqualsFill: ConformanceProperty<IncrementalInput> = {
  area: "checksum",
  name: "incremental-update-equals-fill",
  statement:
    "Changing one 16-bit word of a segment moves the filled checksum exactly as RFC 1624's incremental update HC' = ~(~HC + ~m + m') predicts (a 0 stored as the profile says).",
  citation: `RFC 1624 section 3, equation 3; ${HELP}`,
  ops: ["checksum.fill"],
  arbitrary: () =>
    fc
      .record({ packet: offloadedPacket(), pick: fc.nat(), newWord: fc.integer({ min: 0, max: 0xffff }) })
      .map(({ packet, pick, newWord }) => {
        const offsets = changeableOffsets(packet);
        return { packet: toHex(packet), segmentOffset: offsets[pick % offsets.length]!, newWord };
      }),
  validateInput(input) {
    const r = asRecord(input);
    const packet = validPacketHex(r.packet, "packet");
    const offsets = changeableOffsets(fromHex(packet));
    if (!offsets.includes(r.segmentOffset as number))
      throw new Error(`"segmentOffset" must be one of the changeable even offsets`);
    const w = r.newWord;
    if (typeof w !== "number" || !Number.isInteger(w) || w < 0 || w > 0xffff)
      throw new Error(`"newWord" must be 0..65535`);
    return { packet, segmentOffset: r.segmentOffset as number, newWord: w };
  },
  async check(input, { iut, profile }) {
    const packet = fromHex(input.packet);
    const { changed, oldWord, newWord } = changeWord(packet, input.segmentOffset, input.newWord);
    const before = await iutFill(iut, packet, "partial", false);
    const after = await iutFill(iut, changed, "partial", false);
    let beforeField: number | null = null;
    let afterField: number | null = null;
    try {
      beforeField = readChecksumField(before);
      afterField = readChecksumField(after);
    } catch {
      // an unreadable reply fails below
    }
    const update = beforeField === null ? null : incrementalUpdate(beforeField, oldWord, newWord);
    const predicted = update === 0 ? zeroStoredAs(profile as ChecksumProfile) : update;
    const ok = predicted !== null && predicted === afterField;
    return {
      ok,
      expected: { checksumAfter: predicted === null ? null : hex16(predicted) },
      observed: {
        checksumBefore: beforeField === null ? null : hex16(beforeField),
        checksumAfter: afterField === null ? null : hex16(afterField),
        word: `${hex16(oldWord)} -> ${hex16(newWord)}`,
      },
      ...(ok
        ? {}
        : {
            message: `filled ${afterField === null ? "?" : hex16(afterField)} after the change, RFC 1624 predicts ${predicted === null ? "?" : hex16(predicted)}`,
          }),
    };
  },
  packets: (input) => {
    const packet = fromHex(input.packet);
    return {
      linktype: LINKTYPE_RAW,
      packets: [
        { label: "input", data: packet },
        { label: "input with the word changed", data: changeWord(packet, input.segmentOffset, input.newWord).changed },
      ],
    };
  },
};

const fillTwice: ConformanceProperty<FillInput> = {
  area: "checksum",
  name: "second-fill-changes-nothing",
  statement:
    "A packet the target filled is CHECKSUM_NONE afterwards, so a second CHECKSUM rule leaves it byte-identical.",
  citation: `${HELP} (sets CHECKSUM_NONE); ${TARGET}`,
  ops: ["checksum.fill"],
  arbitrary: partialNotGso,
  validateInput: validateFillInput,
  async check(input, { iut }) {
    const once = await iutFill(iut, fromHex(input.packet), "partial", false);
    const twice = await iutFill(iut, once, "none", false);
    return packetOutcome(once, twice, "the second pass changed the packet");
  },
  packets: fillPackets,
};

const untouched: ConformanceProperty<FillInput> = {
  area: "checksum",
  name: "untouched-unless-partial",
  statement:
    "A packet that is not CHECKSUM_PARTIAL, or is GSO, leaves the target byte-identical, whatever its checksum field holds.",
  citation: `${TARGET}: fills only when ip_summed == CHECKSUM_PARTIAL && !skb_is_gso(skb)`,
  ops: ["checksum.fill"],
  arbitrary: () =>
    fc
      .record({ base: fillInput(), garbleField: fc.boolean(), field: fc.integer({ min: 0, max: 0xffff }) })
      .map(({ base, garbleField, field }) => {
        // Not partial, or partial with GSO.
        const state = base.state === "partial" && !base.gso ? "none" : base.state;
        if (!garbleField) return { ...base, state };
        const packet = fromHex(base.packet);
        const { fieldOffset } = transportLayout(packet);
        packet[fieldOffset] = field >> 8;
        packet[fieldOffset + 1] = field & 0xff;
        return { packet: toHex(packet), state, gso: base.gso };
      }),
  validateInput: validateFillInput,
  async check(input, { iut, profile }) {
    const packet = fromHex(input.packet);
    const expected = checksumTarget({ packet, state: input.state, gso: input.gso }, profile as ChecksumProfile).packet;
    return packetOutcome(expected, await iutFill(iut, packet, input.state, input.gso));
  },
  packets: fillPackets,
};

const checkentryErrno: ConformanceProperty<ReturnType<typeof validateCheckentryInput>> = {
  area: "checksum",
  name: "checkentry-errno",
  statement:
    "Adding a CHECKSUM rule gives the model's errno: EINVAL outside the mangle table, for operation 0 and for unknown operation bits; otherwise 0, whatever the hook and protocol match.",
  citation: "net/netfilter/x_tables.c xt_check_target(); net/netfilter/xt_CHECKSUM.c checksum_tg_check()",
  ops: ["checksum.checkentry"],
  arbitrary: checkentryInput,
  validateInput: validateCheckentryInput,
  async check(input, { iut, profile }) {
    const expected = checksumCheckentry(input, profile as ChecksumProfile);
    const observed = await iutCheckentry(iut, input);
    return {
      ok: expected === observed,
      expected: { errno: expected },
      observed: { errno: observed },
      ...(expected === observed
        ? {}
        : {
            message: `errno ${observed}, model says ${expected}`,
            key: `errno ${observed} where the model gives ${expected}`,
          }),
    };
  },
};

/** The model's rules for a fill input: the target on the packet as the case gives it. */
function fillRules(input: FillInput, profile: ChecksumProfile, trace: RuleTrace): void {
  trace.within(`${input.state}${input.gso ? " gso" : ""}`);
  checksumTarget({ packet: fromHex(input.packet), state: input.state, gso: input.gso }, profile, trace);
}

/** A partial, non-GSO fill of `packet` (the properties that fill such packets themselves). */
function partialRules(packet: string, profile: ChecksumProfile, trace: RuleTrace, at = "partial"): void {
  trace.within(at);
  checksumTarget({ packet: fromHex(packet), state: "partial", gso: false }, profile, trace);
}

/**
 * Each property with the model's rules for its case: every outcome carries
 * them, and a violation names the last one (the rule that decided the bytes
 * or the errno) with the rules before it as evidence.
 */
function traced<I>(
  property: ConformanceProperty<I>,
  model: (input: I, profile: ChecksumProfile, trace: RuleTrace) => void,
): ConformanceProperty<I> {
  return {
    ...property,
    async check(input, context) {
      const outcome = await property.check(input, context);
      if (outcome.ok && !context.collectRules) return outcome;
      const trace = new RuleTrace();
      try {
        model(input, context.profile as ChecksumProfile, trace);
      } catch {
        // A packet the model cannot lay out: the check itself says so; no rule to name.
      }
      const why = outcome.ok
        ? undefined
        : explanation(
            CHECKSUM_RULES,
            lastHitAt(trace.hits, undefined),
            trace.hits,
            trace.hits.map((h) => `${h.at ?? ""} ${h.rule}${h.detail ? `: ${h.detail}` : ""}`.trim()),
          );
      return { ...outcome, rules: trace.hits, ...(why ? { explanation: why } : {}) };
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: a list holds properties of every input type
export const CHECKSUM_PROPERTIES: readonly ConformanceProperty<any>[] = [
  traced(fillMatchesModel, fillRules),
  traced(fillVerifies, fillRules),
  traced(fillEqualsRecompute, fillRules),
  traced(incrementalEqualsFill, (input, profile, trace) => partialRules(input.packet, profile, trace)),
  traced(fillTwice, (input, profile, trace) => {
    partialRules(input.packet, profile, trace, "first fill");
    trace.within("second fill");
    trace.hit(CHECKSUM_RULES["state-none-untouched"]);
  }),
  traced(untouched, fillRules),
  traced(checkentryErrno, (input, profile, trace) => {
    checksumCheckentry(input, profile, trace);
  }),
];
