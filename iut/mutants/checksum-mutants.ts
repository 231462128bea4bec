// Deliberately broken checksum IUTs. The test suite asserts that each one is
// caught with a shrunk counterexample; `nfconform adapter model --mutant NAME`
// serves them over the adapter protocol.
import { checksumCheckentry } from "../../model/checksum/checkentry.js";
import { transportLayout } from "../../model/checksum/packet-checksum.js";
import { fold, onesComplementSum } from "../../wire/internet-checksum.js";
import { toHex } from "../../wire/hex.js";
import type { OpHandler } from "../model/model-state.js";
import { readCheckentryRequest, readFillRequest } from "../ops/checksum.js";
import type { MutantDefinition } from "./mutant.js";

/** A fill that sums with `sum` and stores with `store`; applied when `applies` says so. */
function brokenFill(options: {
  applies?: (state: string, gso: boolean) => boolean;
  sum?: (packet: Uint8Array, start: number) => number;
  store?: (folded: number) => number;
}): OpHandler {
  return (params) => {
    const { packet, state, gso } = readFillRequest(params);
    const applies = options.applies ?? ((s, g) => s === "partial" && !g);
    if (!applies(state, gso)) return { packet: toHex(packet) };
    const { ip, fieldOffset } = transportLayout(packet);
    const sum = (options.sum ?? ((p, start) => fold(onesComplementSum(p, start))))(packet, ip.transportOffset);
    const complemented = ~sum & 0xffff;
    const stored = (options.store ?? ((v) => (v === 0 ? 0xffff : v)))(complemented);
    const out = packet.slice();
    out[fieldOffset] = stored >> 8;
    out[fieldOffset + 1] = stored & 0xff;
    return { packet: toHex(out) };
  };
}

export const CHECKSUM_MUTANTS: readonly MutantDefinition[] = [
  {
    name: "checksum-zero-not-mangled",
    description: "stores a computed checksum of 0 as 0x0000 instead of CSUM_MANGLED_0 (0xffff)",
    overrides: { "checksum.fill": brokenFill({ store: (v) => v }) },
  },
  {
    name: "checksum-odd-byte-dropped",
    description: "ignores the trailing byte of an odd-length segment",
    overrides: {
      "checksum.fill": brokenFill({
        sum: (p, start) => fold(onesComplementSum(p, start, start + ((p.length - start) & ~1))),
      }),
    },
  },
  {
    name: "checksum-carry-folded-once",
    description: "folds the 32-bit sum once, dropping the carry that the first fold produces",
    overrides: {
      "checksum.fill": brokenFill({
        sum: (p, start) => {
          const s = onesComplementSum(p, start);
          return ((s & 0xffff) + Math.floor(s / 0x10000)) & 0xffff;
        },
      }),
    },
  },
  {
    name: "checksum-fills-non-partial",
    description: "fills packets whatever their checksum state",
    overrides: { "checksum.fill": brokenFill({ applies: (_s, gso) => !gso }) },
  },
  {
    name: "checksum-fills-unless-none",
    description:
      "fills CHECKSUM_UNNECESSARY and CHECKSUM_COMPLETE packets too, as if the test were ip_summed != CHECKSUM_NONE",
    overrides: { "checksum.fill": brokenFill({ applies: (state, gso) => state !== "none" && !gso }) },
  },
  {
    name: "checksum-fills-complete",
    description: "fills CHECKSUM_COMPLETE packets too, as if the test were ip_summed >= CHECKSUM_COMPLETE",
    overrides: {
      "checksum.fill": brokenFill({ applies: (state, gso) => (state === "partial" || state === "complete") && !gso }),
    },
  },
  {
    name: "checksum-fills-gso",
    description: "fills GSO packets too, as if skb_is_gso() were not tested",
    overrides: { "checksum.fill": brokenFill({ applies: (state) => state === "partial" }) },
  },
  {
    name: "checksum-any-table",
    description: "accepts the target outside the mangle table",
    overrides: {
      "checksum.checkentry": (params) => ({
        errno: checksumCheckentry({ ...readCheckentryRequest(params), table: "mangle" }),
      }),
    },
  },
  {
    name: "checksum-operation-unchecked",
    description: "accepts any operation byte, 0 and unknown bits included",
    overrides: {
      "checksum.checkentry": (params) => {
        const rule = readCheckentryRequest(params);
        return { errno: rule.table === "mangle" ? 0 : 22 };
      },
    },
  },
  {
    name: "checksum-odd-byte-low",
    description:
      "pads an odd segment's last byte on the left (as the low byte of its word) instead of on the right (RFC 1071 4.1)",
    overrides: {
      "checksum.fill": brokenFill({
        sum: (p, start) => {
          const even = start + ((p.length - start) & ~1);
          return fold(onesComplementSum(p, start, even) + (even < p.length ? p[even]! : 0));
        },
      }),
    },
  },
  {
    name: "checksum-operation-fill-bit-only",
    description:
      "accepts any operation with the fill bit set, unknown bits beside it included (op & FILL instead of op == FILL)",
    overrides: {
      "checksum.checkentry": (params) => {
        const rule = readCheckentryRequest(params);
        return { errno: checksumCheckentry({ ...rule, operation: rule.operation & 1 }) };
      },
    },
  },
];
