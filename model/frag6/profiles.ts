// The frag6 area's profiles and the run configuration the protocol carries.

export const FRAG6_PROFILES = ["rfc8200", "linux-ipv6", "linux-nfct"] as const;
export type Frag6Profile = (typeof FRAG6_PROFILES)[number];
export const FRAG6_DEFAULT_PROFILE: Frag6Profile = "rfc8200";

export function isFrag6Profile(value: unknown): value is Frag6Profile {
  return typeof value === "string" && (FRAG6_PROFILES as readonly string[]).includes(value);
}

/** frag6.run's `config` (adapter protocol): reassembly timeout and memory thresholds. */
export interface Frag6Config {
  timeoutMs: number;
  highThresh: number;
  lowThresh: number;
}

/**
 * Protocol defaults, which are Linux's: IPV6_FRAG_TIMEOUT (60 s, also RFC 8200
 * section 4.5's 60 seconds), IPV6_FRAG_HIGH_THRESH 4 MiB, IPV6_FRAG_LOW_THRESH
 * 3 MiB (include/net/ipv6.h).
 */
export const FRAG6_DEFAULT_CONFIG: Frag6Config = {
  timeoutMs: 60_000,
  highThresh: 4 * 1024 * 1024,
  lowThresh: 3 * 1024 * 1024,
};

/** One packet arriving at virtual time `t` (ms). */
export interface Frag6Event {
  t: number;
  packet: Uint8Array;
}
