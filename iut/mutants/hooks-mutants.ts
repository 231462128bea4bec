// Deliberately broken hook IUTs: the model with one rule wrong each. The test
// suite asserts that each one is caught with a shrunk command sequence.
import { ENOENT, ERANGE } from "../../sys/errno.js";
import { INT_MAX, INT_MIN } from "../../model/hooks/families.js";
import type { HookEntry, HookList } from "../../model/hooks/hook-list.js";
import { deviceListKey, FAMILY_HOOKS, listHead, type ListKey } from "../../model/hooks/list-head.js";
import {
  addRegistration,
  hookList,
  registeredIn,
  registerHook,
  withList,
  type HookRegistration,
} from "../../model/hooks/namespace.js";
import { HOOKS_RULES, type HooksRules } from "../../model/hooks/profiles.js";
import { traversedList } from "../../model/hooks/traverse.js";
import type { OpHandler } from "../model/model-state.js";
import {
  foldSteps,
  hooksBatch,
  hooksTraverse,
  hooksUnregister,
  readRegistration,
  type BatchStep,
  type StepReply,
} from "../ops/hooks.js";
import { invalid } from "../ops/op.js";
import type { MutantDefinition } from "./mutant.js";
import { CONNTRACK_HOOKS } from "../../model/hooks/conntrack-hooks.js";
import { DEFRAG_RULES, preroutingSightings, type DefragRules } from "../../model/defrag/prerouting.js";
import { hooksFragments, readFragmentsRequest, writeSightings } from "../ops/hooks-fragments.js";

const LINUX = HOOKS_RULES.linux;

/** hooks.register with the model's code under other rules. */
function registerWith(rules: HooksRules): OpHandler {
  return (params, state) => {
    const { ns, errno } = registerHook(state.hooks, readRegistration(params), rules);
    state.hooks = ns;
    return { errno };
  };
}

/** hooks.fragments by the cross-area model under other rules. */
function fragmentsWith(rules: DefragRules): OpHandler {
  return (params) => {
    const { steps, packets } = readFragmentsRequest(params);
    return hooksFragments.writeReply(writeSightings(preroutingSightings(steps, packets, rules)));
  };
}

/** hooks.register where `keysOf` decides the lists (undefined: as the model). */
function registerInto(keysOf: (reg: HookRegistration) => ListKey[] | undefined): OpHandler {
  return (params, state) => {
    const registration = readRegistration(params);
    const keys = keysOf(registration);
    const { ns, errno } = keys
      ? addRegistration(state.hooks, registration, keys, LINUX)
      : registerHook(state.hooks, registration, LINUX);
    state.hooks = ns;
    return { errno };
  };
}

/** A hook with no number in its family's numbering (hook 5 of ipv4, ipv6 and bridge aside: it has one). */
function numberless({ family, hook }: HookRegistration): boolean {
  if (family === "netdev") return hook !== "ingress" && hook !== "egress";
  if (family === "inet") return hook === "egress";
  return hook !== "ingress" && !FAMILY_HOOKS[family].includes(hook);
}

/**
 * hooks.batch that runs the steps in another order (`order` lists their
 * indices) and gives each its reply in its own place. Where a step is
 * declined, it folds them in order after all, from where it started.
 */
function batchInOrder(order: (steps: readonly BatchStep[]) => number[]): OpHandler {
  return (params, state, call) => {
    const { steps } = hooksBatch.readRequest(params);
    const before = state.hooks;
    const indices = order(steps);
    const replies = foldSteps(
      indices.map((i) => steps[i]!),
      call,
    );
    if (replies.some((r) => "error" in r)) {
      state.hooks = before;
      return { replies: foldSteps(steps, call) };
    }
    const inPlace: StepReply[] = [];
    indices.forEach((i, k) => {
      inPlace[i] = replies[k]!;
    });
    return { replies: inPlace };
  };
}

/**
 * hooks.batch as a kernel adapter without the fall-back would run it: each run
 * of registrations and unregistrations between traversals is one transaction,
 * and a refused registration aborts it, so every step of the run gets that
 * errno and none of them happens.
 */
const batchWithoutFallback: OpHandler = (params, state, call) => {
  const { steps } = hooksBatch.readRequest(params);
  const replies: StepReply[] = [];
  let i = 0;
  while (i < steps.length) {
    let end = i + 1;
    if (steps[i]!.op !== hooksTraverse.op) while (end < steps.length && steps[end]!.op !== hooksTraverse.op) end++;
    const before = state.hooks;
    const run = foldSteps(steps.slice(i, end), call);
    const refused = run.find((r, k) => steps[i + k]!.op !== hooksUnregister.op && "errno" in r && r.errno !== 0);
    if (run.some((r) => "error" in r)) return { replies: [...replies, ...run] };
    if (refused && "errno" in refused) {
      state.hooks = before;
      replies.push(...run.map(() => ({ errno: refused.errno })));
    } else replies.push(...run);
    i = end;
  }
  return { replies };
};

export const HOOKS_MUTANTS: readonly MutantDefinition[] = [
  {
    name: "hooks-equal-priority-after",
    description:
      "places a new hook after existing hooks of equal priority (the linked-list rule) while claiming current Linux",
    overrides: { "hooks.register": registerWith({ ...LINUX, equalPriority: "after" }) },
  },
  {
    name: "hooks-no-limit",
    description: "has no MAX_HOOK_COUNT: the 1025th hook of a list is accepted",
    overrides: { "hooks.register": registerWith({ ...LINUX, maxHookCount: null }) },
  },
  {
    name: "hooks-limit-off-by-one",
    description: "refuses the 1024th hook already (>= instead of >)",
    overrides: { "hooks.register": registerWith({ ...LINUX, maxHookCount: 1023 }) },
  },
  {
    name: "hooks-limit-1025",
    description: "accepts the 1025th hook of a list and refuses only the 1026th (> MAX_HOOK_COUNT + 1)",
    overrides: { "hooks.register": registerWith({ ...LINUX, maxHookCount: 1025 }) },
  },
  {
    name: "hooks-first-last-refused",
    description:
      "refuses priorities INT_MIN and INT_MAX (NF_IP_PRI_FIRST/LAST) with ERANGE for every hook, as only BPF netfilter links do",
    overrides: {
      "hooks.register": (params, state, call) => {
        const registration = readRegistration(params);
        if (registration.priority === INT_MIN || registration.priority === INT_MAX) return { errno: ERANGE };
        return registerWith(LINUX)(params, state, call);
      },
    },
  },
  {
    name: "hooks-inet-no-rollback",
    description: "an inet hook refused on IPv6 stays registered on IPv4",
    overrides: {
      "hooks.register": (params, state) => {
        const registration = readRegistration(params);
        const { ns, errno } = registerHook(state.hooks, registration, LINUX);
        if (errno !== 0 && registration.family === "inet" && registration.hook !== "ingress") {
          // Keep the IPv4 half that the kernel would undo.
          const ipv4 = listHead(LINUX, "ipv4", registration.hook, registration.device);
          if ("key" in ipv4) state.hooks = addRegistration(ns, registration, [ipv4.key], LINUX).ns;
          return { errno };
        }
        state.hooks = ns;
        return { errno };
      },
    },
  },
  {
    name: "hooks-inet-ipv4-only",
    description: "registers an inet hook in the IPv4 list only",
    overrides: {
      "hooks.register": registerInto((reg) =>
        reg.family === "inet" && FAMILY_HOOKS.ipv4.includes(reg.hook) ? [`ipv4/${reg.hook}`] : undefined,
      ),
    },
  },
  {
    name: "hooks-device-unchecked",
    description: "accepts netdev and inet ingress hooks on a device that does not exist, or without one",
    overrides: {
      "hooks.register": registerInto((reg) => {
        const deviceHook =
          (reg.family === "netdev" && (reg.hook === "ingress" || reg.hook === "egress")) ||
          (reg.family === "inet" && reg.hook === "ingress");
        return deviceHook ? [deviceListKey(reg.hook as "ingress" | "egress", reg.device ?? "none")] : undefined;
      }),
    },
  },
  {
    name: "hooks-numberless-listed",
    description:
      "accepts a hook its family has no number for (ipv4 egress, arp prerouting, netdev input, ...) on a list of its own, as if the core had a slot for every name",
    overrides: {
      "hooks.register": registerInto((reg) => (numberless(reg) ? [`${reg.family}/${reg.hook}`] : undefined)),
    },
  },
  {
    name: "hooks-hook5-slot",
    description:
      "gives ipv4, ipv6 and bridge a list for hook 5 (ingress) instead of refusing it with EINVAL (their arrays end at NF_INET_NUMHOOKS = 5)",
    overrides: {
      "hooks.register": registerInto((reg) =>
        (reg.family === "ipv4" || reg.family === "ipv6" || reg.family === "bridge") && reg.hook === "ingress"
          ? [`${reg.family}/ingress`]
          : undefined,
      ),
    },
  },
  {
    name: "hooks-unregister-swap-remove",
    description: "removes an entry by moving the list's last entry into its slot, as an O(1) array delete would",
    overrides: {
      "hooks.unregister": (params, state) => {
        const { name } = hooksUnregister.readRequest(params);
        const keys = registeredIn(state.hooks, name);
        if (keys.length === 0) return { errno: ENOENT };
        let lists = state.hooks.lists;
        for (const key of keys) {
          const list = [...hookList(state.hooks, key)];
          const at = list.findIndex((e) => e.name === name && !e.internal);
          list[at] = list[list.length - 1]!;
          list.pop();
          lists = withList(lists, key, list);
        }
        state.hooks = { lists };
        return { errno: 0 };
      },
    },
  },
  {
    name: "hooks-priority-overflow",
    description:
      "compares priorities by 32-bit subtraction, which overflows between far-apart priorities (INT_MIN against positives)",
    overrides: {
      "hooks.register": (params, state) => {
        const registration = readRegistration(params);
        const { ns, errno } = registerHook(state.hooks, registration, LINUX);
        state.hooks = ns;
        if (errno !== 0) return { errno };
        let lists = ns.lists;
        for (const key of registeredIn(ns, registration.name)) {
          const others = hookList(ns, key).filter((e) => e.name !== registration.name || e.internal);
          const entry: HookEntry = {
            name: registration.name,
            priority: registration.priority,
            verdict: registration.verdict,
            internal: false,
          };
          const at = others.findIndex((e) => ((entry.priority - e.priority) | 0) <= 0);
          lists = withList(
            lists,
            key,
            at < 0 ? [...others, entry] : [...others.slice(0, at), entry, ...others.slice(at)],
          );
        }
        state.hooks = { ...ns, lists };
        return { errno };
      },
    },
  },
  {
    name: "hooks-drop-continues",
    description: "runs the remaining hooks after one drops (the verdict is still drop)",
    overrides: {
      "hooks.traverse": (params, state) => {
        const { family, hook, device } = hooksTraverse.readRequest(params);
        const key = traversedList(LINUX, family, hook, device);
        if (key === undefined) throw invalid(hooksTraverse.op, `no ${family} ${hook} hook list`);
        const list: HookList = hookList(state.hooks, key);
        const visited = list.filter((e) => !e.internal).map((e) => e.name);
        return { visited, verdict: list.some((e) => e.verdict === "drop") ? "drop" : "accept" };
      },
    },
  },
  {
    name: "hooks-batch-traversals-last",
    description:
      "in hooks.batch, applies every registration and unregistration before the traversals (one transaction for all, probes after)",
    overrides: {
      "hooks.batch": batchInOrder((steps) => {
        const indices = steps.map((_, i) => i);
        const traversal = (i: number) => steps[i]!.op === hooksTraverse.op;
        return [...indices.filter((i) => !traversal(i)), ...indices.filter(traversal)];
      }),
    },
  },
  {
    name: "hooks-batch-no-fallback",
    description:
      "in hooks.batch, a refused registration fails every step of its transaction with its errno (no redo of each step alone)",
    overrides: { "hooks.batch": batchWithoutFallback },
  },
  {
    name: "hooks-defrag-priority",
    description: "registers the defrag hooks at -399 instead of NF_IP_PRI_CONNTRACK_DEFRAG (-400)",
    overrides: {
      "hooks.fragments": fragmentsWith({
        ...DEFRAG_RULES,
        layer: CONNTRACK_HOOKS.map((h) => (h.name.endsWith("_defrag") ? { ...h, priority: h.priority + 1 } : h)),
      }),
    },
  },
  {
    name: "hooks-defrag-passes-fragments",
    description: "ipv6_defrag accepts every fragment unchanged, so chains after it see fragments, never the datagram",
    overrides: { "hooks.fragments": fragmentsWith({ ...DEFRAG_RULES, holdsFragments: false }) },
  },
];
