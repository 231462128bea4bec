// Checks inputs read back from corpus files before they are replayed: the
// shapes are the protocol's (iut/ops/checksum.ts), the packet must parse.
import { checksumCheckentry, checksumFill } from "../../iut/ops/checksum.js";
import type { ChecksumRule } from "../../model/checksum/checkentry.js";
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
  const { packet, state, gso } = checksumFill.request.read(input, "input");
  return { packet: validPacketHex(packet, "packet"), state, gso };
}

export function validateCheckentryInput(input: unknown): ChecksumRule {
  const { family, table, hook, operation, proto, invertProto } = checksumCheckentry.request.read(input, "input");
  return { family, table, hook, operation, proto, invertProto };
}
