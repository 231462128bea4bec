// The hook lists of one network namespace and the protocol's register and
// unregister, as nf_register_net_hook() and nf_unregister_net_hook() do them
// (net/netfilter/core.c). Immutable: every operation returns a new namespace.
import { E2BIG, ENOENT } from "../../sys/errno.js";
import type { HookFamily, HookName, Verdict } from "./families.js";
import { hasRoom, insertByPriority, removeEntry, type HookEntry, type HookList } from "./hook-list.js";
import { listHead, registrationFamilies, type ListKey } from "./list-head.js";
import type { HooksRules } from "./profiles.js";
import type { RuleTrace } from "../rules.js";
import { HOOKS_RULES_CATALOGUE as R } from "./rule-catalogue.js";

/** One `hooks.register` request: a struct nf_hook_ops. */
export interface HookRegistration {
  name: string;
  family: HookFamily;
  hook: HookName;
  priority: number;
  verdict: Verdict;
  device: string | null;
}

export interface HookNamespace {
  readonly lists: ReadonlyMap<ListKey, HookList>;
}

export const EMPTY_HOOK_NAMESPACE: HookNamespace = { lists: new Map() };

/** A request the protocol does not define: the adapter answers `invalid`. */
export class HookRequestError extends Error {}

export function hookList(ns: HookNamespace, key: ListKey): HookList {
  return ns.lists.get(key) ?? [];
}

/** The lists holding the protocol hook of this name (none when it is not registered). */
export function registeredIn(ns: HookNamespace, name: string): ListKey[] {
  const keys: ListKey[] = [];
  // Plain loops: a fill of 1024 hooks asks this 1024 times of lists that grow to 1024.
  for (const [key, list] of ns.lists) {
    for (const e of list) {
      if (e.name === name && !e.internal) {
        keys.push(key);
        break;
      }
    }
  }
  return keys;
}

export function withList(lists: ReadonlyMap<ListKey, HookList>, key: ListKey, list: HookList): Map<ListKey, HookList> {
  const next = new Map(lists);
  if (list.length === 0) next.delete(key);
  else next.set(key, list);
  return next;
}

/**
 * Inserts one entry into the lists of `keys` in order, as the successive
 * __nf_register_net_hook() calls; the first refusal returns its errno and the
 * lists as they were before the first call, which is what the IPv4 rollback
 * (__nf_unregister_net_hook) after a failed IPv6 registration leaves.
 */
export function insertInto(
  lists: ReadonlyMap<ListKey, HookList>,
  keys: readonly ListKey[],
  entry: HookEntry,
  rules: HooksRules,
  trace?: RuleTrace,
): { lists: ReadonlyMap<ListKey, HookList>; errno: number } {
  let next = lists;
  for (const key of keys) {
    const list = next.get(key) ?? [];
    if (!hasRoom(list, rules)) {
      trace?.hit(R["register-e2big"], `${key} holds ${list.length}`);
      return { lists, errno: E2BIG };
    }
    next = withList(next, key, insertByPriority(list, entry, rules, trace));
  }
  return { lists: next, errno: 0 };
}

/**
 * nf_register_net_hook(): device and hook checks first (no list changes),
 * then each concrete registration, IPv4 before IPv6 for inet, undoing IPv4
 * when IPv6 fails.
 */
export function registerHook(
  ns: HookNamespace,
  reg: HookRegistration,
  rules: HooksRules,
  trace?: RuleTrace,
): { ns: HookNamespace; errno: number } {
  // The protocol: `name` is unique among registered hooks.
  if (registeredIn(ns, reg.name).length > 0)
    throw new HookRequestError(`a hook named "${reg.name}" is already registered`);
  const keys: ListKey[] = [];
  for (const family of registrationFamilies(rules, reg.family, reg.hook, trace)) {
    const head = listHead(rules, family, reg.hook, reg.device, trace);
    // For inet, an IPv6 refusal here can only follow an IPv4 one: both arrays have the same hooks.
    if ("errno" in head) return { ns, errno: head.errno };
    keys.push(head.key);
  }
  return addRegistration(ns, reg, keys, rules, trace);
}

/** Inserts a registration into the lists of `keys`: all or none. */
export function addRegistration(
  ns: HookNamespace,
  reg: HookRegistration,
  keys: readonly ListKey[],
  rules: HooksRules,
  trace?: RuleTrace,
): { ns: HookNamespace; errno: number } {
  const entry: HookEntry = { name: reg.name, priority: reg.priority, verdict: reg.verdict, internal: false };
  const inserted = insertInto(ns.lists, keys, entry, rules, trace);
  return { ns: inserted.errno === 0 ? { lists: inserted.lists } : ns, errno: inserted.errno };
}

/**
 * nf_unregister_net_hook() never fails and removes the entry from every list
 * it was registered in (both for inet). An unknown hook only WARNs in the
 * kernel; the protocol answers ENOENT.
 */
export function unregisterHook(
  ns: HookNamespace,
  name: string,
  trace?: RuleTrace,
): { ns: HookNamespace; errno: number } {
  const keys = registeredIn(ns, name);
  trace?.hit(R[keys.length === 0 ? "unregister-enoent" : "unregister-removed"], name);
  if (keys.length === 0) return { ns, errno: ENOENT };
  let lists = ns.lists;
  for (const key of keys) lists = withList(lists, key, removeEntry(hookList(ns, key), name, false));
  return { ns: { lists }, errno: 0 };
}
