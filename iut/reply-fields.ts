// Readers for reply fields: a reply that lacks a field or has the wrong type is
// an IutError naming the op, the field and what came instead.
import { fromHex } from "../wire/hex.js";
import { IutError } from "./iut.js";
import type { Result } from "./protocol.js";

function shown(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? "nothing" : text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

export function replyHex(reply: Result, op: string, field: string): Uint8Array {
  const value = reply[field];
  try {
    return fromHex(value, `reply to ${op}: field "${field}"`);
  } catch (error) {
    throw new IutError((error as Error).message, shown(reply));
  }
}

export function replyErrno(reply: Result, op: string): number {
  const value = reply.errno;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 4095) {
    throw new IutError(
      `reply to ${op}: field "errno" must be an errno number (0 or positive), got ${shown(value)}`,
      shown(reply),
    );
  }
  return value;
}

export function replyString(reply: Result, op: string, field: string): string {
  const value = reply[field];
  if (typeof value !== "string")
    throw new IutError(`reply to ${op}: field "${field}" must be a string, got ${shown(value)}`, shown(reply));
  return value;
}

export function replyArray(reply: Result, op: string, field: string): unknown[] {
  const value = reply[field];
  if (!Array.isArray(value))
    throw new IutError(`reply to ${op}: field "${field}" must be an array, got ${shown(value)}`, shown(reply));
  return value;
}
