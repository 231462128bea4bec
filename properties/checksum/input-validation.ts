// Checks inputs read back from corpus files before they are replayed.
import { TABLE_HOOKS, type ChecksumRule, type XtTable } from "../../model/checksum/checkentry.js";
import { CHECKSUM_STATES } from "../../model/checksum/checksum-target.js";
import { transportLayout } from "../../model/checksum/packet-checksum.js";
import { fromHex } from "../../wire/hex.js";
import type { FillInput } from "./generators.js";

export function asRecord(input: unknown): Record<string, unknown> {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    throw new Error("input must be a JSON object");
  return input as Record<string, unknown>;
}

/** The packet must be hex of a well-formed IPv4/IPv6 UDP or TCP packet. */
export function validPacketHex(value: unknown, field: string): string {
  transportLayout(fromHex(value, field), field);
  return value as string;
}

export function validateFillInput(input: unknown): FillInput {
  const r = asRecord(input);
  if (!CHECKSUM_STATES.includes(r.state as never))
    throw new Error(`"state" must be one of ${CHECKSUM_STATES.join(", ")}`);
  if (typeof r.gso !== "boolean") throw new Error(`"gso" must be a boolean`);
  return { packet: validPacketHex(r.packet, "packet"), state: r.state as FillInput["state"], gso: r.gso };
}

export function validateCheckentryInput(input: unknown): ChecksumRule {
  const r = asRecord(input);
  const tables = Object.keys(TABLE_HOOKS);
  if (r.family !== "ipv4" && r.family !== "ipv6") throw new Error(`"family" must be ipv4 or ipv6`);
  if (!tables.includes(r.table as string)) throw new Error(`"table" must be one of ${tables.join(", ")}`);
  if (!TABLE_HOOKS.mangle.includes(r.hook as never)) throw new Error(`"hook" must be an inet hook name`);
  const op = r.operation;
  if (typeof op !== "number" || !Number.isInteger(op) || op < 0 || op > 255)
    throw new Error(`"operation" must be 0..255`);
  const proto = r.proto;
  if (proto !== null && (typeof proto !== "number" || !Number.isInteger(proto) || proto < 0 || proto > 255)) {
    throw new Error(`"proto" must be null or 0..255`);
  }
  if (typeof r.invertProto !== "boolean") throw new Error(`"invertProto" must be a boolean`);
  return {
    family: r.family,
    table: r.table as XtTable,
    hook: r.hook as ChecksumRule["hook"],
    operation: op,
    proto: proto as number | null,
    invertProto: r.invertProto,
  };
}
