// `hooks.fragments`: which IPv6 PRE_ROUTING chains see each fragment of a
// stream, and which the datagram it completes, with or without a user of
// nf_defrag_ipv6 (docs/adapter-protocol.md). An optional op of version 1: the
// suite sends it only to an IUT whose hello lists it, and declines the case
// as unsupported for any other.
import Type, { type Static } from "typebox";
import type { DefragStep, Sighting } from "../../model/defrag/prerouting.js";
import { fromHex, toHex } from "../../wire/hex.js";
import type { Params } from "./common.js";
import { Hex, NonEmptyString, NonNegative } from "./fields.js";
import { Priority } from "./hooks.js";
import { defineOp } from "./op.js";

const Step = Type.Union(
  [Type.Object({ chain: NonEmptyString, priority: Priority }), Type.Object({ defragUser: Type.Literal(true) })],
  { description: 'a chain {"chain": name, "priority": int32} or a defrag user {"defragUser": true}' },
);

export const FragmentsRequestShape = Type.Object({
  steps: Type.Array(Step),
  packets: Type.Array(Hex, { minItems: 1 }),
});

const FragmentsReply = Type.Object({
  seen: Type.Array(Type.Object({ event: NonNegative, chain: Type.String(), packet: Hex })),
});
export type FragmentsReply = Static<typeof FragmentsReply>;

/** Chain names are unique: each names one chain. */
function repeatedChain(r: Static<typeof FragmentsRequestShape>): string | undefined {
  const names = r.steps.flatMap((s) => ("chain" in s ? [s.chain] : []));
  const i = names.findIndex((n, j) => names.indexOf(n) !== j);
  return i < 0 ? undefined : `chain "${names[i]}" is registered twice`;
}

/** `hooks.fragments` `{"steps": [...], "packets": [hex, ...]}` -> `{"seen": [{event, chain, packet}, ...]}` */
export const hooksFragments = defineOp("hooks.fragments", FragmentsRequestShape, FragmentsReply, {
  request: repeatedChain,
});

export function readFragmentsRequest(params: Params): { steps: DefragStep[]; packets: Uint8Array[] } {
  const { steps, packets } = hooksFragments.readRequest(params);
  return {
    steps: steps.map((s) => ("chain" in s ? { chain: s.chain, priority: s.priority } : { defragUser: true })),
    packets: packets.map((p) => fromHex(p)),
  };
}

export function writeSightings(seen: readonly Sighting[]): FragmentsReply {
  return { seen: seen.map((s) => ({ event: s.event, chain: s.chain, packet: toHex(s.packet) })) };
}
