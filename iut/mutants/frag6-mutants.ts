// Deliberately broken IPv6 reassemblers. Each claims the default profile
// (rfc8200); the test suite asserts that some property catches each one with
// a shrunk fragment stream.
import { parseArrival } from "../../model/frag6/fragment.js";
import { queueKey } from "../../model/frag6/fragment.js";
import type { Frag6Outcome } from "../../model/frag6/outcome.js";
import type { Frag6Config, Frag6Event } from "../../model/frag6/profiles.js";
import { frag6Run } from "../../model/frag6/run.js";
import { bytesEqual, fromHex, toHex } from "../../wire/hex.js";
import { datagramParts, reassembledPacket, type FragmentPacket } from "../../wire/ipv6-fragment.js";
import type { OpHandler } from "../model/model-state.js";
import { readFrag6Request } from "../ops/frag6.js";
import type { MutantDefinition } from "./mutant.js";

interface NaiveRules {
  /** What a fragment overlapping held data does. */
  overlap: "later-wins" | "discard" | "replace-same-range";
  /** Completes once the first and last fragments are in, holes or not. */
  ignoreHoles: boolean;
}

/** A textbook reassembler with one rule bent; reports no ICMP. */
function naiveRun(events: Frag6Event[], config: Frag6Config, rules: NaiveRules): Frag6Outcome {
  interface Q {
    started: number;
    /** The datagram's bytes so far, and which of them arrived (1): both grow with the furthest fragment. */
    bytes: Uint8Array;
    arrived: Uint8Array;
    held: FragmentPacket[];
    length: number | null;
    head: FragmentPacket | null;
  }
  const queues = new Map<string, Q>();
  const delivered: Frag6Outcome["delivered"] = [];
  events.forEach((e, i) => {
    const a = parseArrival(i, e.t, e.packet);
    for (const [k, q] of queues) if (e.t > q.started + config.timeoutMs) queues.delete(k);
    const f = a.fragment;
    if (!f || (f.offset === 0 && !f.more)) {
      delivered.push({
        t: e.t,
        packet: toHex(f ? reassembledPacket(f.unfragmentable, f.prevNextHeaderOffset, f.nextHeader, f.data) : e.packet),
      });
      return;
    }
    const key = queueKey(f);
    const q = queues.get(key) ?? {
      started: e.t,
      bytes: new Uint8Array(0),
      arrived: new Uint8Array(0),
      held: [],
      length: null,
      head: null,
    };
    queues.set(key, q);
    const end = f.offset + f.data.length;
    const overlaps = q.held.some((h) => h.offset < end && f.offset < h.offset + h.data.length);
    if (overlaps) {
      const sameRange = q.held.some((h) => h.offset === f.offset && h.data.length === f.data.length);
      const exact = q.held.some((h) => h.offset === f.offset && bytesEqual(h.data, f.data));
      if (exact) return;
      if (rules.overlap === "discard" || (rules.overlap === "replace-same-range" && !sameRange)) {
        queues.delete(key);
        return;
      }
    }
    q.held.push(f);
    if (end > q.bytes.length) {
      q.bytes = grown(q.bytes, end);
      q.arrived = grown(q.arrived, end);
    }
    q.bytes.set(f.data, f.offset);
    q.arrived.fill(1, f.offset, end);
    if (!f.more) q.length = end;
    if (f.offset === 0) q.head = f;
    if (q.length === null || !q.head) return;
    const holes = q.length > q.arrived.length || q.arrived.subarray(0, q.length).includes(0);
    if (holes && !rules.ignoreHoles) return;
    const data = new Uint8Array(q.length); // a hole reads as 0
    data.set(q.bytes.subarray(0, Math.min(q.length, q.bytes.length)));
    queues.delete(key);
    delivered.push({
      t: e.t,
      packet: toHex(reassembledPacket(q.head.unfragmentable, q.head.prevNextHeaderOffset, q.head.nextHeader, data)),
    });
  });
  return { delivered, icmp: [] };
}

/** `bytes` in a zeroed array of at least `length`. */
function grown(bytes: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(Math.max(length, 2 * bytes.length));
  out.set(bytes);
  return out;
}

function naive(rules: NaiveRules): OpHandler {
  return (params) => {
    const request = readFrag6Request(params);
    return { delivered: naiveRun(request.events, request.config, rules).delivered };
  };
}

/** The model's answer (rfc8200), then `change` applied to every delivered packet. */
function rewritten(change: (packet: Uint8Array) => Uint8Array[]): OpHandler {
  return (params) => {
    const request = readFrag6Request(params);
    const outcome = frag6Run(request.events, "rfc8200", request.config);
    return {
      ...outcome,
      delivered: outcome.delivered.flatMap((d) => change(fromHex(d.packet)).map((p) => ({ t: d.t, packet: toHex(p) }))),
    };
  };
}

/** Puts a Fragment header (offset 0, M clear) back where reassembly removed it. */
function withFragmentHeader(packet: Uint8Array): Uint8Array {
  const parts = datagramParts(packet);
  const u = parts.unfragmentable;
  const out = new Uint8Array(packet.length + 8);
  out.set(u);
  out[parts.prevNextHeaderOffset] = 44;
  out[u.length] = parts.nextHeader;
  out.set(parts.fragmentable, u.length + 8);
  const length = out.length - 40;
  out[4] = length >> 8;
  out[5] = length & 0xff;
  return out;
}

export const FRAG6_MUTANTS: readonly MutantDefinition[] = [
  {
    name: "frag6-overlap-keeps-later-data",
    description: "reassembles overlapping fragments instead of discarding the datagram, later data overwriting earlier",
    overrides: { "frag6.run": naive({ overlap: "later-wins", ignoreHoles: false }) },
  },
  {
    name: "frag6-duplicate-replaces",
    description:
      "takes a fragment with the same offset and length but other bytes as a duplicate that replaces the held one",
    overrides: { "frag6.run": naive({ overlap: "replace-same-range", ignoreHoles: false }) },
  },
  {
    name: "frag6-hole-delivered",
    description: "delivers once the first and last fragments are in, filling holes with zeros",
    overrides: { "frag6.run": naive({ overlap: "discard", ignoreHoles: true }) },
  },
  {
    name: "frag6-timeout-ignored",
    description: "never expires a reassembly queue",
    overrides: {
      "frag6.run": (params) => {
        const request = readFrag6Request(params);
        return { ...frag6Run(request.events, "rfc8200", { ...request.config, timeoutMs: 2 ** 40 }) };
      },
    },
  },
  {
    name: "frag6-delivered-twice",
    description: "hands every datagram to the upper layer twice",
    overrides: { "frag6.run": rewritten((p) => [p, p]) },
  },
  {
    name: "frag6-fragment-header-left-in",
    description: "delivers reassembled datagrams with a Fragment header (offset 0, M clear) still in them",
    overrides: { "frag6.run": rewritten((p) => [withFragmentHeader(p)]) },
  },
  {
    name: "frag6-payload-length-not-fixed",
    description: "leaves Payload Length counting the Fragment header that was removed",
    overrides: {
      "frag6.run": rewritten((p) => {
        const out = p.slice();
        const length = ((out[4]! << 8) | out[5]!) + 8;
        out[4] = (length >> 8) & 0xff;
        out[5] = length & 0xff;
        return [out];
      }),
    },
  },
];
