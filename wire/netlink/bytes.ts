// Small byte helpers shared by the netlink codec (Uint8Array only, no Buffer).

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A u32 in host byte order: how nf_tables registers hold meta mark, ct state and the like (NLA data compared as bytes). */
export function hostU32(value: number): Uint8Array {
  return new Uint8Array(Uint32Array.of(value).buffer);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: false });

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Names (tables, chains, devices) are short ASCII: built in JS, they skip TextDecoder's native call, same text. */
const ASCII_FAST_MAX = 64;

export function fromUtf8(bytes: Uint8Array): string {
  if (bytes.length <= ASCII_FAST_MAX) {
    let text = "";
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b >= 0x80) return decoder.decode(bytes);
      text += String.fromCharCode(b);
    }
    return text;
  }
  return decoder.decode(bytes);
}

/** A fixed-size C char array: the text, NUL padded; throws if it does not fit with its NUL. */
export function cString(text: string, size: number, what: string): Uint8Array {
  const raw = utf8(text);
  if (raw.length >= size)
    throw new RangeError(`${what}: "${text}" needs ${raw.length + 1} bytes with its NUL, the field holds ${size}`);
  const out = new Uint8Array(size);
  out.set(raw);
  return out;
}

/** Reads a NUL-terminated C string out of a fixed-size field (the whole field if no NUL). */
export function readCString(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return fromUtf8(nul < 0 ? bytes : bytes.subarray(0, nul));
}
