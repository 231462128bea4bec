// Checks a frag6 case read back from a corpus file: every field, strictly.
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

function int(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    throw new Error(`${what} must be an integer in ${min}..${max}`);
  return value;
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

export function validateStreamInput(input: unknown): StreamInput {
  const r = record(input, "input");
  only(r, ["events", "config", "labels", "originals"], "input");
  if (!Array.isArray(r.events) || r.events.length === 0 || r.events.length > 2000)
    throw new Error(`"events" must be an array of 1..2000 events`);
  let last = 0;
  const events = r.events.map((e, i) => {
    const ev = record(e, `events[${i}]`);
    only(ev, ["t", "packet"], `events[${i}]`);
    const t = int(ev.t, `events[${i}].t`, last, 2 ** 40);
    last = t;
    return { t, packet: ipv6Hex(ev.packet, `events[${i}].packet`) };
  });
  const c = record(r.config, "config");
  only(c, ["timeoutMs", "highThresh", "lowThresh"], "config");
  const config: Frag6Config = {
    timeoutMs: int(c.timeoutMs, "config.timeoutMs", 1, 2 ** 31),
    highThresh: int(c.highThresh, "config.highThresh", 0, 2 ** 40),
    lowThresh: int(c.lowThresh, "config.lowThresh", 0, 2 ** 40),
  };
  if (config.lowThresh > config.highThresh) throw new Error(`config.lowThresh must not exceed config.highThresh`);
  if (!Array.isArray(r.labels) || r.labels.length === 0)
    throw new Error(`"labels" must name at least one pattern class`);
  const labels = r.labels.map((l, i) => {
    if (!(FRAG6_CLASSES as readonly unknown[]).includes(l))
      throw new Error(`labels[${i}] must be one of ${FRAG6_CLASSES.join(", ")}`);
    return l as Frag6Class;
  });
  if (!Array.isArray(r.originals)) throw new Error(`"originals" must be an array of hex datagrams`);
  const originals = r.originals.map((o, i) => ipv6Hex(o, `originals[${i}]`));
  return { events, config, labels, originals };
}
