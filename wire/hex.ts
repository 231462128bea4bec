// Byte strings cross the adapter protocol and the corpus as lowercase hex with
// no separators (adapter-protocol.md, "Transport").

export class HexError extends Error {}

// Node's Buffer codec does the work (a per-byte loop costs more than a kernel
// round trip); the checks around it keep the protocol's strictness.
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** Parses lowercase hex; `what` names the value in the error (e.g. "request 7 packet"). */
export function fromHex(text: unknown, what = "hex string"): Uint8Array {
  if (typeof text !== "string") throw new HexError(`${what}: expected a hex string, got ${typeof text}`);
  if (text.length % 2 !== 0) throw new HexError(`${what}: odd number of hex digits (${text.length})`);
  const decoded = Buffer.from(text, "hex");
  // Node stops decoding at the first pair that is not hex and takes upper case too: only lowercase hex
  // comes back unchanged (the native round trip is cheaper than a regular expression over the text).
  if (decoded.toString("hex") !== text) {
    const bad = text.search(/[^0-9a-f]/);
    throw new HexError(`${what}: character ${JSON.stringify(text[bad])} at position ${bad} is not lowercase hex`);
  }
  return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** Describes where two byte strings first differ, for violation messages. */
export function describeByteDifference(expected: Uint8Array, observed: Uint8Array): string {
  const n = Math.min(expected.length, observed.length);
  for (let i = 0; i < n; i++) {
    if (expected[i] !== observed[i]) {
      const e = expected[i]!.toString(16).padStart(2, "0");
      const o = observed[i]!.toString(16).padStart(2, "0");
      return `first difference at byte ${i}: expected 0x${e}, observed 0x${o}`;
    }
  }
  if (expected.length !== observed.length) {
    return `lengths differ: expected ${expected.length} bytes, observed ${observed.length}`;
  }
  return "identical";
}
