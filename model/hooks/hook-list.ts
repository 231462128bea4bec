// One hook list (struct nf_hook_entries): the live entries of one family, hook
// and device, in the order nf_hook_slow() runs them.
import type { Verdict } from "./families.js";
import type { HooksRules } from "./profiles.js";
import type { RuleTrace } from "../rules.js";
import { HOOKS_RULES_CATALOGUE as R } from "./rule-catalogue.js";

export interface HookEntry {
  /** The protocol's name, or the kernel function's for an internal hook. */
  name: string;
  priority: number;
  verdict: Verdict;
  /** A hook of the kernel itself (conntrack): runs, but is never listed in `visited`. */
  internal: boolean;
}

export type HookList = readonly HookEntry[];

/**
 * nf_hook_entries_grow() (net/netfilter/core.c): existing entries are copied
 * while `reg->priority > orig_ops[i]->priority`, so the new entry lands before
 * the first one with a priority >= its own, i.e. BEFORE equal priorities.
 * The linked list of v4.13 and older stopped at `reg->priority < p->priority`:
 * AFTER equal priorities.
 */
export function insertByPriority(list: HookList, entry: HookEntry, rules: HooksRules, trace?: RuleTrace): HookList {
  const before = rules.equalPriority === "before";
  let at = -1;
  // A plain loop and one copy: a fill of 1024 hooks inserts 1024 times into a list that grows to 1024.
  for (let i = 0; i < list.length; i++) {
    const p = list[i]!.priority;
    if (before ? entry.priority <= p : entry.priority < p) {
      at = i;
      break;
    }
  }
  if (trace)
    trace.hit(
      insertionCase(list, entry, at),
      `${entry.name}@${entry.priority} at position ${at < 0 ? list.length : at}`,
    );
  const next = list.slice();
  next.splice(at < 0 ? list.length : at, 0, entry);
  return next;
}

/** Which insertion case placed the entry at `at` (-1: at the end). */
function insertionCase(list: HookList, entry: HookEntry, at: number) {
  if (list.length === 0) return R["insert-empty"];
  if (at >= 0 && list[at]!.priority === entry.priority) return R["insert-before-equal"];
  const before = list[(at < 0 ? list.length : at) - 1];
  if (before?.priority === entry.priority) return R["insert-after-equal"];
  return at < 0 ? R["insert-append"] : R["insert-before-higher"];
}

/**
 * nf_hook_entries_grow(): `alloc_entries` counts the live entries plus the new
 * one; above MAX_HOOK_COUNT (1024) it returns -E2BIG and the list is untouched.
 */
export function hasRoom(list: HookList, rules: HooksRules): boolean {
  return rules.maxHookCount === null || list.length + 1 <= rules.maxHookCount;
}

/**
 * nf_remove_net_hook() replaces the entry with dummy_ops (accept_all, never
 * listed), then __nf_hook_entries_try_shrink() copies the live entries in
 * their order. Either way the others keep their relative order; a dummy left
 * by a failed allocation runs as ACCEPT and is not counted by the limit, so
 * dropping the entry at once is observably the same.
 */
export function removeEntry(list: HookList, name: string, internal: boolean): HookList {
  return list.filter((e) => e.name !== name || e.internal !== internal);
}
