// The Internet checksum: RFC 1071 (computation), RFC 1624 (incremental update).

/**
 * RFC 1071 section 4.1: the one's complement sum of 16-bit big-endian words of
 * bytes[start, end); an odd final byte is padded on the right with zero.
 * The result is NOT folded, so sums over several ranges can be added (as the
 * kernel adds csum_partial() results) and folded once at the end.
 */
export function onesComplementSum(bytes: Uint8Array, start = 0, end = bytes.length, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) sum += bytes[i]! << 8;
  // Numbers stay exact to 2^53: fold well before that (a 64 KiB packet adds < 2^32).
  return sum > 0xffffffff ? fold(sum) : sum;
}

/** End-around carry until 16 bits remain (csum_fold without its final complement). */
export function fold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** RFC 1071: the complement of the folded sum, as stored in a checksum field. */
export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length, initial = 0): number {
  return ~fold(onesComplementSum(bytes, start, end, initial)) & 0xffff;
}

/**
 * RFC 1624 section 3, equation 3: HC' = ~(~HC + ~m + m'), the checksum after
 * one 16-bit word of the covered data changes from m to m'.
 */
export function incrementalUpdate(checksum: number, oldWord: number, newWord: number): number {
  return ~fold((~checksum & 0xffff) + (~oldWord & 0xffff) + newWord) & 0xffff;
}
