// Pseudo-headers that TCP and UDP checksums cover.
import { onesComplementSum } from "./internet-checksum.js";

/** RFC 768 / RFC 793: source, destination, zero, protocol, segment length (16 bits). */
export function ipv4PseudoHeaderSum(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): number {
  return onesComplementSum(src) + onesComplementSum(dst) + protocol + (length & 0xffff);
}

/** RFC 8200 section 8.1: source, final destination, 32-bit length, 24 zero bits, next header. */
export function ipv6PseudoHeaderSum(src: Uint8Array, dst: Uint8Array, nextHeader: number, length: number): number {
  return (
    onesComplementSum(src) + onesComplementSum(dst) + Math.floor(length / 0x10000) + (length & 0xffff) + nextHeader
  );
}
