// What the cttimeout model can vary. The profiles name real kernels; the
// other knobs exist for the mutants (iut/mutants/cttimeout-mutants.ts) and
// are as current Linux in every profile.

export interface CttimeoutRules {
  /** CONFIG_HZ: timeouts are kept in jiffies (seconds * HZ, 32-bit). */
  hz: number;
  /** cttimeout_nla_policy NAME .len: CTNL_TIMEOUT_NAME_MAX - 1. */
  nameMax: number;
  /** DEFAULT_SET requires L3PROTO (until 2024; the 5.x seed). */
  defaultSetNeedsL3: boolean;
  /** NEW looks up the tracker before the name (3.4 to 4.x order), so an unsupported l4 wins over EEXIST/EBUSY. */
  l4BeforeName: boolean;
  // Knobs only mutants turn.
  exclHonoured: boolean;
  deleteNeedsUnused: boolean;
  /** Delete-all stops at the first policy in use instead of skipping it. */
  deleteAllStopsAtBusy: boolean;
  /** DATA is parsed before the new policy is linked (a parse error leaves no policy). */
  parseBeforeLink: boolean;
  /** Added to the refcount in USE. */
  useOffset: number;
  /** NLM_F_MULTI on unicast data replies (portid != 0). */
  multiOnData: boolean;
}

export const CTTIMEOUT_PROFILES = ["linux", "linux-hz100", "linux-hz300", "linux-hz1000", "linux-6.1"] as const;
export type CttimeoutProfile = (typeof CTTIMEOUT_PROFILES)[number];

export const PROFILE_HZ: Record<CttimeoutProfile, number> = {
  linux: 250,
  "linux-hz100": 100,
  "linux-hz300": 300,
  "linux-hz1000": 1000,
  "linux-6.1": 250,
};

/**
 * Version profiles: what an older kernel did differently. 6.1 LTS (measured on
 * Debian's 6.1.192 through `--iut linux@6.1`) still refuses a DEFAULT_SET
 * without L3PROTO (-EINVAL), a check dropped in 2024 (kernel-facts.md).
 */
const VERSION_RULES: Partial<Record<CttimeoutProfile, Partial<CttimeoutRules>>> = {
  "linux-6.1": { defaultSetNeedsL3: true },
};

const LINUX: Omit<CttimeoutRules, "hz"> = {
  nameMax: 31,
  defaultSetNeedsL3: false,
  l4BeforeName: false,
  exclHonoured: true,
  deleteNeedsUnused: true,
  deleteAllStopsAtBusy: false,
  parseBeforeLink: true,
  useOffset: 0,
  multiOnData: true,
};

export function cttimeoutRules(profile: string): CttimeoutRules {
  const hz = PROFILE_HZ[profile as CttimeoutProfile];
  if (hz === undefined)
    throw new Error(`unknown cttimeout profile ${JSON.stringify(profile)} (known: ${CTTIMEOUT_PROFILES.join(", ")})`);
  return { ...LINUX, ...VERSION_RULES[profile as CttimeoutProfile], hz };
}

/** The profile of a kernel built with this CONFIG_HZ, or null when the suite has none. */
export function profileForHz(hz: number): CttimeoutProfile | null {
  const byHz = Object.entries(PROFILE_HZ).filter(([name]) => !(name in VERSION_RULES));
  return (byHz.find(([, v]) => v === hz)?.[0] as CttimeoutProfile | undefined) ?? null;
}
