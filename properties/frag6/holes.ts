// Whether a delivered datagram could have been rebuilt from what arrived: an
// unfragmented packet or atomic fragment as it came, or a datagram every byte
// of whose Fragmentable Part arrived in fragments of one queue key, with a
// last fragment ending where it ends.
import { fromHex, toHex } from "../../wire/hex.js";
import { parseFragmentPacket, reassembledPacket, type FragmentPacket } from "../../wire/ipv6-fragment.js";
import { queueKey } from "../../model/frag6/fragment.js";
import type { StreamEvent } from "./stream.js";

function sameHeaders(delivered: Uint8Array, head: FragmentPacket): boolean {
  const u = head.unfragmentable;
  if (delivered.length < u.length) return false;
  for (let i = 0; i < u.length; i++) {
    if (i === 4 || i === 5 || i === head.prevNextHeaderOffset) continue; // rewritten by reassembly
    if (i === 1 ? (delivered[i]! & 0xcf) !== (u[i]! & 0xcf) : delivered[i] !== u[i]) return false; // ECN bits may change
  }
  return delivered[head.prevNextHeaderOffset] === head.nextHeader;
}

export function explainable(deliveredHex: string, events: readonly StreamEvent[]): boolean {
  const delivered = fromHex(deliveredHex);
  const byKey = new Map<string, FragmentPacket[]>();
  for (const e of events) {
    if (e.packet === deliveredHex) return true;
    const f = parseFragmentPacket(fromHex(e.packet));
    if (!f) continue;
    if (
      f.offset === 0 &&
      !f.more &&
      toHex(reassembledPacket(f.unfragmentable, f.prevNextHeaderOffset, f.nextHeader, f.data)) === deliveredHex
    )
      return true;
    byKey.set(queueKey(f), [...(byKey.get(queueKey(f)) ?? []), f]);
  }
  for (const frags of byKey.values()) {
    for (const head of frags.filter((f) => f.offset === 0 && sameHeaders(delivered, f))) {
      const data = delivered.subarray(head.unfragmentable.length);
      if (!frags.some((f) => !f.more && f.offset + f.data.length === data.length)) continue;
      const covered = new Uint8Array(data.length);
      for (const f of frags) {
        if (f.offset + f.data.length > data.length) continue;
        if (f.data.every((b, i) => data[f.offset + i] === b)) covered.fill(1, f.offset, f.offset + f.data.length);
      }
      if (covered.every((x) => x === 1)) return true;
    }
  }
  return false;
}
