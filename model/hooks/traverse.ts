// One packet through one hook list: nf_hook_slow() (net/netfilter/core.c).
import type { HookName, TraverseFamily, Verdict } from "./families.js";
import type { HookList } from "./hook-list.js";
import { listHead, type ListKey } from "./list-head.js";
import { hookList, type HookNamespace } from "./namespace.js";
import type { HooksRules } from "./profiles.js";
import type { RuleTrace } from "../rules.js";
import { HOOKS_RULES_CATALOGUE as R } from "./rule-catalogue.js";

export interface Traversal {
  /** Protocol hooks whose function ran, in order; internal hooks are not listed. */
  visited: string[];
  verdict: Verdict;
}

/**
 * The list a packet of this family runs at this hook: the same head that
 * registration uses (a device's ingress list holds its netdev and inet ingress
 * hooks alike), or undefined when the kernel has no such list.
 */
export function traversedList(
  rules: HooksRules,
  family: TraverseFamily,
  hook: HookName,
  device: string | null,
): ListKey | undefined {
  const head = listHead(rules, family, hook, device);
  return "key" in head ? head.key : undefined;
}

/**
 * nf_hook_slow(): runs the entries in order; NF_ACCEPT goes on to the next,
 * NF_DROP frees the packet and returns at once (-EPERM to a local sender);
 * after the last entry the packet continues (okfn). An empty list is accept.
 */
export function runHooks(list: HookList, trace?: RuleTrace): Traversal {
  const visited: string[] = [];
  for (const entry of list) {
    if (!entry.internal) visited.push(entry.name);
    if (entry.verdict === "drop") {
      trace?.hit(R["traverse-drop-stops"], `${entry.name} dropped after ${visited.length} of ${list.length}`);
      return { visited, verdict: "drop" };
    }
  }
  trace?.hit(R[list.length === 0 ? "traverse-empty" : "traverse-accept-all"]);
  return { visited, verdict: "accept" };
}

export function traverse(ns: HookNamespace, key: ListKey, trace?: RuleTrace): Traversal {
  return runHooks(hookList(ns, key), trace);
}
