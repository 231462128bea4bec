// One network namespace's cttimeout state: the policy list
// (nfct_timeout_pernet.nfct_timeout_list, in creation order), the per-tracker
// defaults (nf_*_pernet timeouts) and the users (xt_CT templates) holding
// references. Values are immutable; operations return a new namespace.
import { DEFAULT_SECONDS, type DefaultsKey } from "./protocols.js";

export interface TimeoutPolicy {
  /** Identity of the object: a user holds this one, not whatever later has the name. */
  id: number;
  /** The name's bytes, one char per byte (latin1), without the NUL. */
  name: string;
  l3num: number;
  l4proto: number;
  /** Seconds as read back (protocols.ts storedSeconds) per DATA attribute type 1..count. */
  timeouts: readonly number[];
  refcount: number;
}

export interface TimeoutUser {
  /** The policy this user holds, or null for `--timeout ""` (no policy taken). */
  policyId: number | null;
}

export interface CttimeoutNamespace {
  policies: readonly TimeoutPolicy[];
  defaults: Readonly<Record<DefaultsKey, readonly number[]>>;
  users: Readonly<Record<string, TimeoutUser>>;
  nextPolicyId: number;
  nextUser: number;
}

/** cttimeout_net_init() and the trackers' init_net: an empty list, compiled-in defaults. */
export function freshNamespace(): CttimeoutNamespace {
  return { policies: [], defaults: DEFAULT_SECONDS, users: {}, nextPolicyId: 1, nextUser: 1 };
}

/** Names as the kernel compares them (strncmp over CTNL_TIMEOUT_NAME_MAX, up to the NUL). */
export function nameKey(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return String.fromCharCode(...(nul < 0 ? bytes : bytes.subarray(0, nul)));
}

export function nameBytes(key: string): Uint8Array {
  return Uint8Array.from(key, (c) => c.charCodeAt(0));
}

export function findByName(ns: CttimeoutNamespace, name: string): TimeoutPolicy | undefined {
  return ns.policies.find((p) => p.name === name);
}

export function withPolicy(ns: CttimeoutNamespace, policy: TimeoutPolicy): CttimeoutNamespace {
  return { ...ns, policies: ns.policies.map((p) => (p.id === policy.id ? policy : p)) };
}

/** Live users of a policy (what USE counts beyond the list's own reference). */
export function usersOf(ns: CttimeoutNamespace, policyId: number): number {
  return Object.values(ns.users).filter((u) => u.policyId === policyId).length;
}
