// Readers for request parameters on the adapter side (the model adapter and
// mutants): a request the adapter cannot represent is answered `invalid`.
import { fromHex } from "../wire/hex.js";
import { AdapterReplyError } from "./iut.js";
import type { Params } from "./protocol.js";

export class RequestReader {
  constructor(
    private readonly op: string,
    private readonly params: Params,
  ) {}

  invalid(message: string): AdapterReplyError {
    return new AdapterReplyError("invalid", this.op, message);
  }

  hex(field: string): Uint8Array {
    try {
      return fromHex(this.params[field], `"${field}"`);
    } catch (error) {
      throw this.invalid((error as Error).message);
    }
  }

  oneOf<T extends string>(field: string, allowed: readonly T[]): T {
    const value = this.params[field];
    if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
      throw this.invalid(`"${field}" must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`);
    }
    return value as T;
  }

  boolean(field: string): boolean {
    const value = this.params[field];
    if (typeof value !== "boolean")
      throw this.invalid(`"${field}" must be true or false, got ${JSON.stringify(value)}`);
    return value;
  }

  integer(field: string, min: number, max: number): number {
    const value = this.params[field];
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      throw this.invalid(`"${field}" must be an integer in ${min}..${max}, got ${JSON.stringify(value)}`);
    }
    return value;
  }

  nullableInteger(field: string, min: number, max: number): number | null {
    return this.params[field] === null || this.params[field] === undefined ? null : this.integer(field, min, max);
  }

  string(field: string): string {
    const value = this.params[field];
    if (typeof value !== "string" || value.length === 0)
      throw this.invalid(`"${field}" must be a non-empty string, got ${JSON.stringify(value)}`);
    return value;
  }

  nullableString(field: string): string | null {
    return this.params[field] === null || this.params[field] === undefined ? null : this.string(field);
  }
}
