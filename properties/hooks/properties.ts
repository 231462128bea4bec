// The hooks area's properties. One compares every reply with the model step by
// step; the others are invariants judged from the IUT's own replies, so each
// names the rule an IUT breaks.
import fc from "fast-check";
import { insertByPriority, type HookEntry, type HookList } from "../../model/hooks/hook-list.js";
import type { ListKey } from "../../model/hooks/list-head.js";
import { hooksRules } from "../../model/hooks/profiles.js";
import { runHooks, traversedList } from "../../model/hooks/traverse.js";
import type { CheckOutcome, ConformanceProperty, PropertyContext } from "../property.js";
import {
  describeCommand,
  fillRegistrations,
  type HookCommand,
  type SequenceInput,
  type StepReply,
} from "./commands.js";
import { hookSequence, landingLists, limitSequence, sameListSequence } from "./generators.js";
import { validateSequenceInput } from "./input-validation.js";
import { iutReplies } from "./iut-calls.js";
import { ModelSteps, modelTrace } from "./model-run.js";
import { observe, unjudgedSteps, type Event, type Finding } from "./observations.js";

const CORE = "net/netfilter/core.c";
const OPS = ["hooks.register", "hooks.unregister", "hooks.traverse"] as const;

/** A conforming case, with the rules the model applies to its sequence. */
function pass(
  input: SequenceInput,
  { profile, collectRules }: { profile: string; collectRules?: boolean },
  expected: unknown = "every step as the rule says",
): CheckOutcome {
  return {
    ok: true,
    expected,
    observed: expected,
    ...(collectRules ? { rules: modelTrace(input.commands, profile).rules } : {}),
  };
}

/**
 * A conforming outcome of a case the IUT left steps of unjudged (a partial
 * hooks.batch): judged in part, or not judged when it answered no step but
 * so. A violation stands whatever was left unjudged.
 */
function withUnjudged(
  outcome: CheckOutcome,
  steps: { answered: number; unjudged: number; reason?: string },
): CheckOutcome {
  if (steps.unjudged === 0 || !outcome.ok) return outcome;
  if (steps.unjudged === steps.answered)
    return { ...outcome, judged: false, reason: `every step unjudged by the IUT: ${steps.reason}` };
  return { ...outcome, partlyJudged: `a step unjudged by the IUT: ${steps.reason}` };
}

/**
 * `kind` names the deviation for the violation key (see CheckOutcome.key):
 * the kind of step it happened at, and what the rule expected when that is a
 * rule's name rather than values.
 */
function fail(f: Finding, commands: readonly HookCommand[], profile: string, kind?: string): CheckOutcome {
  const at = commands[f.step];
  const rule = kind ?? (typeof f.expected === "string" ? f.expected : "differs");
  const model = modelTrace(commands, profile, f.step, f.observed);
  return {
    ok: false,
    rules: model.rules,
    ...(model.explanation ? { explanation: model.explanation } : {}),
    expected: f.expected,
    observed: f.observed,
    message: `step ${f.step} (${at ? describeCommand(at) : "?"}): ${f.message}`,
    key: `${at?.op ?? "step"}: ${rule}`,
  };
}

/** What kind of reply differs: an errno (and which), or a traversal. */
function replyKind(observed: StepReply, wanted: StepReply): string {
  if ("errno" in observed && "errno" in wanted) return `errno ${observed.errno} where the model gives ${wanted.errno}`;
  if ("visited" in observed && "visited" in wanted)
    return observed.verdict !== wanted.verdict ? "verdict differs" : "hooks visited differ";
  return "reply differs";
}

function showReply(r: StepReply): string {
  if ("unjudged" in r) return `unjudged (${r.unjudged})`;
  if ("errno" in r) return `errno ${r.errno}`;
  if ("errnos" in r) return `errnos ${r.errnos.map(([e, n]) => `${n} x ${e}`).join(", ")}`;
  const v = r.visited.length > 12 ? [...r.visited.slice(0, 12), `... ${r.visited.length} in all`] : r.visited;
  return `visited [${v.join(", ")}] ${r.verdict}`;
}

/** Where two traversals part, for lists too long to show whole. */
function firstDifference(observed: StepReply, wanted: StepReply): string {
  if (!("visited" in observed) || !("visited" in wanted)) return "";
  const at = observed.visited.findIndex((n, i) => n !== wanted.visited[i]);
  const i = at < 0 ? Math.min(observed.visited.length, wanted.visited.length) : at;
  if (i >= 12 || observed.visited.length > 12 || wanted.visited.length > 12) {
    return ` (first difference at position ${i}: ${observed.visited[i] ?? "end"} where the model has ${wanted.visited[i] ?? "end"})`;
  }
  return "";
}

/**
 * Step by step against the model; stops at the first reply that differs. A
 * step the IUT answers unjudged is stepped on the model (its later answers
 * follow from the whole sequence) and not compared.
 */
async function matchModel(input: SequenceInput, context: PropertyContext): Promise<CheckOutcome> {
  const { iut, profile } = context;
  const model = new ModelSteps(profile);
  const steps = { answered: 0, unjudged: 0, reason: undefined as string | undefined };
  let step = 0;
  // The IUT first: one that cannot represent a step declines before the model is asked.
  for await (const observed of iutReplies(iut, input.commands)) {
    const wanted = model.step(input.commands[step]!);
    steps.answered++;
    if ("unjudged" in observed) {
      steps.unjudged++;
      steps.reason ??= observed.unjudged;
      step++;
      continue;
    }
    if (JSON.stringify(observed) !== JSON.stringify(wanted)) {
      return fail(
        {
          step,
          expected: wanted,
          observed,
          message: `${showReply(observed)}, model says ${showReply(wanted)}${firstDifference(observed, wanted)}`,
        },
        input.commands,
        profile,
        replyKind(observed, wanted),
      );
    }
    step++;
  }
  return withUnjudged(pass(input, context, { steps: input.commands.length }), steps);
}

/** A judge's answer: the first finding, or how many traversals it compared and found right. */
type Judgement = Finding | { compared: number };

/**
 * Runs the case on the IUT and applies a judge to its events. A case the IUT
 * left steps of unjudged, in which the judge then compared no traversal (every
 * traversal unjudged, or on a list an unjudged step may have changed), is not
 * judged: the steps it answered are not what this property judges.
 */
function judged(judge: (events: Event[], profile: string) => Judgement) {
  return async (input: SequenceInput, { iut, profile, collectRules }: PropertyContext): Promise<CheckOutcome> => {
    const events = await observe(iut, input.commands);
    const judgement = judge(events, profile);
    if ("step" in judgement) return fail(judgement, input.commands, profile);
    const steps = unjudgedSteps(events);
    const outcome = pass(input, { profile, collectRules });
    if (steps.unjudged > 0 && steps.unjudged < steps.answered && judgement.compared === 0)
      return { ...outcome, judged: false, reason: `no traversal this property judges was judged: ${steps.reason}` };
    return withUnjudged(outcome, steps);
  };
}

function traversals(events: Event[]) {
  return events.filter((e): e is Extract<Event, { kind: "traverse" }> => e.kind === "traverse");
}

const sortedByPriority = (events: Event[]): Judgement => {
  for (const t of traversals(events)) {
    for (const [i, name] of t.visited.entries()) {
      const known = t.hooks.get(name);
      if (!known)
        return {
          step: t.step,
          expected: "registered hooks only",
          observed: t.visited,
          message: `visited "${name}", which was never registered`,
        };
      const before = i > 0 ? t.hooks.get(t.visited[i - 1]!) : undefined;
      if (before && before.priority > known.priority) {
        return {
          step: t.step,
          expected: "priorities ascending",
          observed: t.visited.map((n) => `${n}@${t.hooks.get(n)?.priority}`),
          message: `${t.visited[i - 1]} (priority ${before.priority}) ran before ${name} (priority ${known.priority})`,
        };
      }
    }
  }
  return { compared: traversals(events).length };
};

const equalPriorityOrder = (events: Event[], profile: string): Judgement => {
  const newestFirst = hooksRules(profile).equalPriority === "before";
  for (const t of traversals(events)) {
    for (let i = 1; i < t.visited.length; i++) {
      const a = t.hooks.get(t.visited[i - 1]!);
      const b = t.hooks.get(t.visited[i]!);
      if (!a || !b || a.priority !== b.priority) continue;
      if (newestFirst ? a.order < b.order : a.order > b.order) {
        return {
          step: t.step,
          expected: newestFirst
            ? "equal priorities: the later registration first"
            : "equal priorities: in registration order",
          observed: t.visited,
          message: `${t.visited[i - 1]} and ${t.visited[i]} (both priority ${a.priority}) ran in ${newestFirst ? "registration" : "reverse registration"} order`,
        };
      }
    }
  }
  return { compared: traversals(events).length };
};

/** Builds each list from the registrations the IUT accepted and the unregisters it did, and runs it. */
const visitsRegistered = (events: Event[], profile: string): Judgement => {
  const rules = hooksRules(profile);
  const lists = new Map<ListKey, HookList>();
  const landed = new Map<string, ListKey[]>();
  // Lists an unjudged step may have changed: their traversals are not judged.
  const unknown = new Set<ListKey>();
  let compared = 0;
  for (const e of events) {
    if (e.kind === "unjudged") {
      const c = e.command;
      if (c.op === "register" || c.op === "fill")
        for (const reg of c.op === "fill" ? fillRegistrations(c) : [c])
          for (const key of landingLists(rules, reg)) unknown.add(key);
      if (c.op === "unregister") for (const key of landed.get(c.name) ?? []) unknown.add(key);
    } else if (e.kind === "register" && e.errno === 0) {
      const keys = landingLists(rules, e.registration);
      const entry: HookEntry = {
        name: e.registration.name,
        priority: e.known.priority,
        verdict: e.known.verdict,
        internal: false,
      };
      for (const key of keys) lists.set(key, insertByPriority(lists.get(key) ?? [], entry, rules));
      landed.set(e.registration.name, keys);
    } else if (e.kind === "unregister" && e.errno === 0) {
      for (const key of landed.get(e.name) ?? [])
        lists.set(
          key,
          (lists.get(key) ?? []).filter((x) => x.name !== e.name),
        );
      landed.delete(e.name);
    } else if (e.kind === "traverse") {
      const key = traversedList(rules, e.command.family, e.command.hook, e.command.device);
      if (key !== undefined && unknown.has(key)) continue;
      compared++;
      const want = runHooks(key === undefined ? [] : (lists.get(key) ?? []));
      if (JSON.stringify(want.visited) !== JSON.stringify(e.visited) || want.verdict !== e.verdict) {
        return {
          step: e.step,
          expected: want,
          observed: { visited: e.visited, verdict: e.verdict },
          message: `visited [${e.visited.join(", ")}] ${e.verdict}; the hooks it accepted on this list give [${want.visited.join(", ")}] ${want.verdict}`,
        };
      }
    }
  }
  return { compared };
};

const stopsAtFirstDrop = (events: Event[]): Judgement => {
  for (const t of traversals(events)) {
    const verdicts = t.visited.map((n) => t.hooks.get(n)?.verdict);
    const firstDrop = verdicts.indexOf("drop");
    const wantVerdict = firstDrop >= 0 ? "drop" : "accept";
    if ((firstDrop >= 0 && firstDrop !== t.visited.length - 1) || t.verdict !== wantVerdict) {
      return {
        step: t.step,
        expected:
          firstDrop >= 0 ? { visited: t.visited.slice(0, firstDrop + 1), verdict: "drop" } : { verdict: "accept" },
        observed: { visited: t.visited, verdict: t.verdict },
        message:
          firstDrop >= 0 && firstDrop !== t.visited.length - 1
            ? `hooks ran after ${t.visited[firstDrop]} dropped the packet`
            : `verdict ${t.verdict} after [${t.visited.join(", ")}]`,
      };
    }
  }
  return { compared: traversals(events).length };
};

/**
 * Remembers the last reply of each list and compares the next one with it.
 * `onRegister`/`onUnregister` say what a change does to what is remembered.
 */
function unchangedBetween(options: {
  onRegister(errno: number): "forget" | "keep";
  onUnregister(name: string, errno: number, seen: Map<string, { visited: string[]; verdict: string }>): void;
  what: string;
}) {
  return (events: Event[], profile: string): Judgement => {
    const rules = hooksRules(profile);
    const seen = new Map<string, { visited: string[]; verdict: string }>();
    let compared = 0;
    for (const e of events) {
      // What an unjudged step did is not known: nothing before it is compared with after it.
      if (e.kind === "unjudged") seen.clear();
      if (e.kind === "register" && options.onRegister(e.errno) === "forget") seen.clear();
      if (e.kind === "unregister") options.onUnregister(e.name, e.errno, seen);
      if (e.kind !== "traverse") continue;
      const key = traversedList(rules, e.command.family, e.command.hook, e.command.device) ?? "";
      const before = seen.get(key);
      const now = { visited: e.visited, verdict: e.verdict };
      if (before) compared++;
      if (before && JSON.stringify(before) !== JSON.stringify(now)) {
        return {
          step: e.step,
          expected: before,
          observed: now,
          message: `${options.what}: [${before.visited.join(", ")}] ${before.verdict} became [${e.visited.join(", ")}] ${e.verdict}`,
        };
      }
      seen.set(key, now);
    }
    return { compared };
  };
}

const unregisterKeepsOrder = unchangedBetween({
  onRegister: () => "forget",
  onUnregister(name, errno, seen) {
    if (errno !== 0) return;
    for (const [key, r] of seen) {
      // Removing the hook that dropped lets the packet run on: no longer predictable.
      if (r.verdict === "drop" && r.visited[r.visited.length - 1] === name) seen.delete(key);
      else seen.set(key, { ...r, visited: r.visited.filter((n) => n !== name) });
    }
  },
  what: "after unregistering, the remaining hooks did not keep their order",
});

const refusalChangesNothing = unchangedBetween({
  onRegister: (errno) => (errno === 0 ? "forget" : "keep"),
  onUnregister(_name, errno, seen) {
    if (errno === 0) seen.clear();
  },
  what: "a refused registration (or an unregister of an unknown name) changed a list",
});

function sequenceProperty(
  name: string,
  statement: string,
  citation: string,
  arbitrary: ConformanceProperty<SequenceInput>["arbitrary"],
  check: ConformanceProperty<SequenceInput>["check"],
): ConformanceProperty<SequenceInput> {
  return { area: "hooks", name, statement, citation, ops: OPS, arbitrary, validateInput: validateSequenceInput, check };
}

export const HOOKS_PROPERTIES: readonly ConformanceProperty<SequenceInput>[] = [
  sequenceProperty(
    "replies-match-model",
    "Over any sequence of register, unregister and traverse, every reply (errno, visited hooks, verdict) equals the model's, step by step.",
    `${CORE} nf_register_net_hook(), __nf_register_net_hook(), nf_hook_entry_head(), nf_hook_entries_grow(), nf_unregister_net_hook(), nf_hook_slow(); adapter protocol (ENOENT)`,
    hookSequence,
    (input, context) => matchModel(input, context),
  ),
  sequenceProperty(
    "traversal-sorted-by-priority",
    "Every traversal runs hooks in ascending priority order and only hooks registered through the protocol.",
    `${CORE} nf_hook_entries_grow(), hooks_validate()`,
    hookSequence,
    judged(sortedByPriority),
  ),
  sequenceProperty(
    "equal-priority-order",
    "Hooks of equal priority run newest first (current Linux: a new hook goes before existing equal ones); in the linked-list era, oldest first.",
    `${CORE} nf_hook_entries_grow(): copies old entries while reg->priority > orig_ops[i]->priority; v4.13 nf_register_net_hook(): breaks at reg->priority < p->priority`,
    sameListSequence,
    judged(equalPriorityOrder),
  ),
  sequenceProperty(
    "traversal-visits-registered",
    "A traversal visits exactly the hooks the IUT accepted for that family, hook and device (inet hooks in both the IPv4 and IPv6 lists, inet ingress in the device's ingress list), in list order, up to the first drop.",
    `${CORE} nf_register_net_hook() (NFPROTO_INET: IPv4 then IPv6), nf_hook_entry_head(), nf_hook_slow()`,
    hookSequence,
    judged(visitsRegistered),
  ),
  sequenceProperty(
    "traversal-stops-at-first-drop",
    "A traversal stops at the first hook that drops, with verdict drop; with no drop it runs to the end with verdict accept.",
    `${CORE} nf_hook_slow(): NF_DROP frees the packet and returns`,
    hookSequence,
    judged(stopsAtFirstDrop),
  ),
  sequenceProperty(
    "unregister-keeps-order",
    "Unregistering a hook removes it from every list it was in and leaves the others in the same relative order.",
    `${CORE} nf_remove_net_hook() (dummy_ops in place), __nf_hook_entries_try_shrink() (copies live entries in order)`,
    sameListSequence,
    judged(unregisterKeepsOrder),
  ),
  sequenceProperty(
    "refused-register-changes-nothing",
    "A registration refused with an errno (EINVAL, E2BIG), and an unregister of an unknown name, leave every list as it was; for inet a refused IPv6 half undoes the IPv4 half.",
    `${CORE} nf_register_net_hook(): __nf_unregister_net_hook(net, NFPROTO_IPV4, reg) when IPv6 fails; nf_hook_entries_grow() returns before any change`,
    // Now and then a full list, where E2BIG and the inet rollback happen.
    (profile) =>
      fc.oneof({ weight: 9, arbitrary: hookSequence(profile) }, { weight: 1, arbitrary: limitSequence(profile) }),
    judged(refusalChangesNothing),
  ),
  sequenceProperty(
    "limit-1024",
    "A list holds at most 1024 live hooks: one more is refused with E2BIG and nothing changes (for inet, IPv4 is rolled back when IPv6 is full); after an unregister there is room again. The linked-list era had no limit.",
    `${CORE} nf_hook_entries_grow(): alloc_entries > MAX_HOOK_COUNT returns -E2BIG; nf_register_net_hook() rollback`,
    limitSequence,
    (input, context) => matchModel(input, context),
  ),
];
