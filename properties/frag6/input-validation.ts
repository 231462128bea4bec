// Checks a frag6 case read back from a corpus file: every field, strictly.
// Events and config have the protocol's shapes (iut/ops/frag6.ts); the corpus
// adds bounds of its own (1..2000 events, no unknown fields, packets that parse).
import { Frag6ConfigShape, Frag6EventShape, unorderedEvent } from "../../iut/ops/frag6.js";
import { shape } from "../../iut/ops/codec.js";
import { fromHex } from "../../wire/hex.js";
import { PacketError } from "../../wire/ip-packet.js";
import { parseFragmentPacket } from "../../wire/ipv6-fragment.js";
import type { Frag6Config } from "../../model/frag6/profiles.js";
import { FRAG6_CLASSES, type Frag6Class, type StreamInput } from "./stream.js";

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Error(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

function only(r: Record<string, unknown>, keys: readonly string[], what: string): void {
  const extra = Object.keys(r).filter((k) => !keys.includes(k));
  if (extra.length) throw new Error(`${what} has unknown field${extra.length > 1 ? "s" : ""} ${extra.join(", ")}`);
}

/** An IPv6 packet whose header chain parses (a fragment or not). */
function ipv6Hex(value: unknown, what: string): string {
  const bytes = fromHex(value, what);
  try {
    parseFragmentPacket(bytes, what);
  } catch (error) {
    if (error instanceof PacketError) throw new Error(error.message);
    throw error;
  }
  return value as string;
}

const event = shape(Frag6EventShape);
const config = shape(Frag6ConfigShape);

export function validateStreamInput(input: unknown): StreamInput {
  const r = record(input, "input");
  only(r, ["events", "config", "labels", "originals"], "input");
  if (!Array.isArray(r.events) || r.events.length === 0 || r.events.length > 2000)
    throw new Error(`"events" must be an array of 1..2000 events`);
  const events = r.events.map((e, i) => {
    const { t, packet } = event.read(e, `events[${i}]`);
    only(e as Record<string, unknown>, ["t", "packet"], `events[${i}]`);
    return { t, packet: ipv6Hex(packet, `events[${i}].packet`) };
  });
  const unordered = unorderedEvent(events);
  if (unordered) throw new Error(`input: ${unordered}`);
  const { timeoutMs, highThresh, lowThresh } = config.read(r.config, "config");
  only(r.config as Record<string, unknown>, ["timeoutMs", "highThresh", "lowThresh"], "config");
  const frag6Config: Frag6Config = { timeoutMs, highThresh, lowThresh };
  if (lowThresh > highThresh) throw new Error(`config.lowThresh must not exceed config.highThresh`);
  if (!Array.isArray(r.labels) || r.labels.length === 0)
    throw new Error(`"labels" must name at least one pattern class`);
  const labels = r.labels.map((l, i) => {
    if (!(FRAG6_CLASSES as readonly unknown[]).includes(l))
      throw new Error(`labels[${i}] must be one of ${FRAG6_CLASSES.join(", ")}`);
    return l as Frag6Class;
  });
  if (!Array.isArray(r.originals)) throw new Error(`"originals" must be an array of hex datagrams`);
  const originals = r.originals.map((o, i) => ipv6Hex(o, `originals[${i}]`));
  return { events, config: frag6Config, labels, originals };
}
