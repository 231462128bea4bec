// The xtables CHECKSUM target (net/netfilter/xt_CHECKSUM.c), `-j CHECKSUM --checksum-fill`.
import { fold, onesComplementSum } from "../../wire/internet-checksum.js";
import { transportLayout } from "./packet-checksum.js";
import type { RuleTrace } from "../rules.js";
import { CHECKSUM_RULES as R } from "./rule-catalogue.js";

/** skb->ip_summed as the adapter protocol names it (include/linux/skbuff.h). */
export type ChecksumState = "none" | "unnecessary" | "complete" | "partial";
export const CHECKSUM_STATES: readonly ChecksumState[] = ["none", "unnecessary", "complete", "partial"];

/**
 * Profiles of the checksum area:
 * - `linux`: current mainline. checksum_tg() calls skb_checksum_help() only
 *   when `skb->ip_summed == CHECKSUM_PARTIAL && !skb_is_gso(skb)` (the GSO test
 *   came with "netfilter: xt_checksum: ignore gso skbs", 2018), and
 *   skb_checksum_help() stores `csum_fold(csum) ?: CSUM_MANGLED_0`.
 * - `linux-2.6.35`: the target as merged in 2010 (the seed thread) with that
 *   era's skb_checksum_help(): a GSO packet is not filled ("Let GSO fix up the
 *   checksum") but is marked CHECKSUM_NONE, and a computed 0 is stored as 0x0000.
 */
export type ChecksumProfile = "linux" | "linux-2.6.35";
export const CHECKSUM_PROFILES: readonly ChecksumProfile[] = ["linux", "linux-2.6.35"];

export interface SkbChecksumState {
  packet: Uint8Array;
  state: ChecksumState;
  gso: boolean;
}

/** checksum_tg(): returns the skb after the target; the verdict is always XT_CONTINUE. */
export function checksumTarget(
  skb: SkbChecksumState,
  profile: ChecksumProfile = "linux",
  trace?: RuleTrace,
): SkbChecksumState {
  if (skb.state !== "partial") {
    trace?.hit(R[`state-${skb.state}-untouched`]);
    return skb;
  }
  if (profile === "linux") {
    if (skb.gso) trace?.hit(R["partial-gso-untouched"]);
    return skb.gso ? skb : { ...skb, packet: filled(skb.packet, profile, trace), state: "none" };
  }
  // 2.6.35 skb_checksum_help(): `if (unlikely(skb_shinfo(skb)->gso_size)) goto out_set_summed;`
  if (skb.gso) {
    trace?.hit(R["partial-gso-marked-none"]);
    return { ...skb, state: "none" };
  }
  return { ...skb, packet: filled(skb.packet, profile, trace), state: "none" };
}

/** skb_checksum_help() as the target calls it, its rules recorded. */
function filled(packet: Uint8Array, profile: ChecksumProfile, trace?: RuleTrace): Uint8Array {
  const zeroAs = zeroStoredAs(profile);
  const out = skbChecksumHelp(packet, zeroAs);
  if (trace) {
    const { fieldOffset } = transportLayout(packet);
    const stored = (out[fieldOffset]! << 8) | out[fieldOffset + 1]!;
    trace.hit(R["partial-filled"], `field at byte ${fieldOffset}: 0x${stored.toString(16).padStart(4, "0")}`);
    if (helpChecksum(packet) === 0)
      trace.hit(R[zeroAs === CSUM_MANGLED_0 ? "zero-stored-mangled" : "zero-stored-zero"]);
  }
  return out;
}

/** What skb_checksum_help() stores when the complemented fold is 0. */
export function zeroStoredAs(profile: ChecksumProfile): number {
  return profile === "linux" ? CSUM_MANGLED_0 : 0;
}

/** include/linux/skbuff.h: the value stored instead of a computed 0. */
export const CSUM_MANGLED_0 = 0xffff;

/**
 * skb_checksum_help() (net/core/dev.c): sums from csum_start (the transport
 * header) to the end of the packet, the field included (it holds the
 * pseudo-header sum), and stores the complemented fold at csum_start +
 * csum_offset; a fold of 0 is stored as `zeroAs`. Current kernels pass
 * CSUM_MANGLED_0 for TCP as well as UDP: this path does not know the protocol.
 */
export function skbChecksumHelp(packet: Uint8Array, zeroAs: number): Uint8Array {
  const { fieldOffset } = transportLayout(packet);
  const folded = helpChecksum(packet);
  const stored = folded === 0 ? zeroAs : folded;
  const out = packet.slice();
  out[fieldOffset] = stored >> 8;
  out[fieldOffset + 1] = stored & 0xff;
  return out;
}

/** The complemented fold skb_checksum_help() computes, before a 0 is replaced. */
function helpChecksum(packet: Uint8Array): number {
  const { ip } = transportLayout(packet);
  return ~fold(onesComplementSum(packet, ip.transportOffset, packet.length)) & 0xffff;
}
