// The size edges a frag6 stream touches, read from its fragments: the ones
// the models have a rule for (RFC 8200 section 4.5: Payload Length 65535,
// 8-byte multiples; the 13-bit offset field's largest value, 65528). Tests
// use it to show every default run reaches them.
import { fromHex } from "../../wire/hex.js";
import { IPV6_HEADER_LENGTH, IPV6_MAXPLEN, parseFragmentPacket } from "../../wire/ipv6-fragment.js";
import type { StreamInput } from "./stream.js";

export const FRAG6_BOUNDARIES = [
  /** A fragment at the largest offset the field holds. */
  "offset-65528",
  /** A fragment ending where the reassembled Payload Length is exactly 65535. */
  "payload-65535",
  /** A fragment ending where the reassembled Payload Length would pass 65535. */
  "payload-past-65535",
  /** A fragment with M set whose length is not a multiple of 8. */
  "unaligned-more",
  /** A last fragment (M clear, offset above 0) whose length is not a multiple of 8. */
  "unaligned-last",
] as const;
export type Frag6Boundary = (typeof FRAG6_BOUNDARIES)[number];

export function boundariesOf(input: StreamInput): Frag6Boundary[] {
  const seen = new Set<Frag6Boundary>();
  for (const e of input.events) {
    const f = parseFragmentPacket(fromHex(e.packet));
    if (!f) continue;
    const end = f.offset + f.data.length;
    const payload = f.unfragmentable.length - IPV6_HEADER_LENGTH + end;
    if (f.offset === 0xfff8) seen.add("offset-65528");
    if (payload === IPV6_MAXPLEN) seen.add("payload-65535");
    if (payload > IPV6_MAXPLEN) seen.add("payload-past-65535");
    if (f.data.length % 8 !== 0) {
      if (f.more) seen.add("unaligned-more");
      else if (f.offset > 0) seen.add("unaligned-last");
    }
  }
  return FRAG6_BOUNDARIES.filter((b) => seen.has(b));
}
