// Area `frag6`: IPv6 reassembly at a receiving node (docs/adapter-protocol.md).
import Type, { type Static } from "typebox";
import type { Observed } from "../../model/frag6/judge.js";
import { FRAG6_DEFAULT_CONFIG, type Frag6Config, type Frag6Event } from "../../model/frag6/profiles.js";
import { fromHex } from "../../wire/hex.js";
import type { Params } from "./common.js";
import { Hex, integer, NonNegative } from "./fields.js";
import { defineOp } from "./op.js";

/** Virtual time in ms; 2**40 ms is some 35 years, past any run. */
const MAX_T = 2 ** 40;

export const Frag6EventShape = Type.Object({ t: integer(0, MAX_T), packet: Hex });

export const Frag6ConfigShape = Type.Object({
  timeoutMs: integer(1, MAX_T),
  highThresh: integer(0, MAX_T),
  lowThresh: integer(0, MAX_T),
});

export const Frag6ReplyShape = Type.Object({
  delivered: Type.Array(Type.Object({ t: NonNegative, packet: Hex })),
  icmp: Type.Optional(
    Type.Array(Type.Object({ t: NonNegative, type: NonNegative, code: NonNegative, pointer: NonNegative })),
  ),
});

/** What frag6.run answers: the model's Observed (model/frag6/judge.ts), which the judge reads. */
export type Frag6Reply = Static<typeof Frag6ReplyShape>;
// The declaration and the judge's type must stay one shape: each must be assignable to the other.
const _sameShape: [Frag6Reply, Observed] = [{} as Observed, {} as Frag6Reply];
void _sameShape;

/** Events arrive in order: each `t` at least the one before. */
export function unorderedEvent(events: readonly { t: number }[]): string | undefined {
  const i = events.findIndex((e, j) => j > 0 && e.t < events[j - 1]!.t);
  return i < 0 ? undefined : `events[${i}].t must not be less than the t before it (${events[i - 1]!.t})`;
}

/** `frag6.run` `{"events": [{"t": ms, "packet": hex}, ...], "config": {...}?}` -> {delivered, icmp?} */
export const frag6Run = defineOp(
  "frag6.run",
  Type.Object({ events: Type.Array(Frag6EventShape), config: Type.Optional(Frag6ConfigShape) }),
  Frag6ReplyShape,
  { request: (r) => unorderedEvent(r.events) },
);

/** frag6.run's request with packets as bytes and the config defaulted. */
export interface Frag6Request {
  events: Frag6Event[];
  config: Frag6Config;
}

export function readFrag6Request(params: Params): Frag6Request {
  const { events, config } = frag6Run.readRequest(params);
  return {
    events: events.map(({ t, packet }) => ({ t, packet: fromHex(packet) })),
    config: config
      ? { timeoutMs: config.timeoutMs, highThresh: config.highThresh, lowThresh: config.lowThresh }
      : FRAG6_DEFAULT_CONFIG,
  };
}

/** A reply as the judge reads it: only the declared fields, in their order. */
export function observedOf(reply: Frag6Reply): Observed {
  const delivered = reply.delivered.map(({ t, packet }) => ({ t, packet }));
  if (reply.icmp === undefined) return { delivered };
  return { delivered, icmp: reply.icmp.map(({ t, type, code, pointer }) => ({ t, type, code, pointer })) };
}
