// What the model answers to a command sequence, step by step, with the rules
// it applied and, for a report, each list before and after a step.
import type { HookList } from "../../model/hooks/hook-list.js";
import type { ListKey } from "../../model/hooks/list-head.js";
import { EMPTY_HOOK_NAMESPACE, registerHook, unregisterHook, type HookNamespace } from "../../model/hooks/namespace.js";
import { hooksRules, type HooksRules } from "../../model/hooks/profiles.js";
import { HOOKS_RULES_CATALOGUE } from "../../model/hooks/rule-catalogue.js";
import { traverse, traversedList } from "../../model/hooks/traverse.js";
import { RuleTrace, type RuleHit } from "../../model/rules.js";
import { explanation, lastHitAt } from "../explain.js";
import type { Explanation } from "../property.js";
import { describeCommand, errnoRuns, fillRegistrations, type HookCommand, type StepReply } from "./commands.js";

/** The model's namespace, fed one command at a time. */
export class ModelSteps {
  private ns: HookNamespace = EMPTY_HOOK_NAMESPACE;
  private readonly rules: HooksRules;

  constructor(
    profile: string,
    /** Where the rules applied go, each hit at "step N" once step() is given N. */
    private readonly trace?: RuleTrace,
  ) {
    this.rules = hooksRules(profile);
  }

  get lists(): ReadonlyMap<ListKey, HookList> {
    return this.ns.lists;
  }

  step(c: HookCommand, index?: number): StepReply {
    if (index !== undefined) this.trace?.within(`step ${index}`);
    switch (c.op) {
      case "register":
        return { errno: this.register(c, this.trace) };
      case "fill":
        return { errnos: errnoRuns(this.fill(c)) };
      case "unregister": {
        const r = unregisterHook(this.ns, c.name, this.trace);
        this.ns = r.ns;
        return { errno: r.errno };
      }
      case "traverse": {
        const key = traversedList(this.rules, c.family, c.hook, c.device);
        if (key === undefined)
          throw new Error(`the case traverses a list this profile does not have: ${c.family} ${c.hook}`);
        return traverse(this.ns, key, this.trace);
      }
    }
  }

  /** A fill's registrations; their rules go to the trace once each, with how often they applied. */
  private fill(c: Extract<HookCommand, { op: "fill" }>): number[] {
    const each = this.trace ? new RuleTrace() : undefined;
    const errnos = fillRegistrations(c).map((reg) => this.register(reg, each));
    if (!each || !this.trace) return errnos;
    const counts = new Map<string, { n: number; last: RuleHit }>();
    for (const h of each.hits) counts.set(h.rule, { n: (counts.get(h.rule)?.n ?? 0) + 1, last: h });
    for (const [rule, { n, last }] of counts)
      this.trace.hit(
        HOOKS_RULES_CATALOGUE[rule as keyof typeof HOOKS_RULES_CATALOGUE],
        `x${n}, last: ${last.detail ?? ""}`,
      );
    return errnos;
  }

  private register(reg: Parameters<typeof registerHook>[1], trace: RuleTrace | undefined): number {
    const r = registerHook(this.ns, reg, this.rules, trace);
    this.ns = r.ns;
    return r.errno;
  }
}

export function modelReplies(commands: readonly HookCommand[], profile: string): StepReply[] {
  const model = new ModelSteps(profile);
  return commands.map((c) => model.step(c));
}

/** A list as a report shows it: names with priorities (and a drop marked). */
function showList(list: HookList | undefined): string {
  return `[${(list ?? []).map((e) => `${e.name}@${e.priority}${e.verdict === "drop" ? " drop" : ""}`).join(", ")}]`;
}

/** Each list a step changed or ran, before and after it. */
export function listsAround(
  before: ReadonlyMap<ListKey, HookList>,
  after: ReadonlyMap<ListKey, HookList>,
  ran: ListKey | undefined,
): string[] {
  const keys = [...new Set([...before.keys(), ...after.keys()])].filter(
    (k) => k === ran || before.get(k) !== after.get(k),
  );
  if (ran !== undefined && !keys.includes(ran)) keys.push(ran);
  return keys.flatMap((k) => [`${k} before: ${showList(before.get(k))}`, `${k} after:  ${showList(after.get(k))}`]);
}

/**
 * The model over a whole sequence, for the rules a case reached and, when a
 * step is named, the explanation there: the last rule applied at that step
 * and the lists around it. A sequence the model refuses (a name registered
 * twice) gives the rules up to there.
 */
export function modelTrace(
  commands: readonly HookCommand[],
  profile: string,
  failedAt?: number,
  observed?: unknown,
): { rules: readonly RuleHit[]; explanation?: Explanation } {
  const trace = new RuleTrace();
  const model = new ModelSteps(profile, trace);
  const rules = hooksRules(profile);
  let around: string[] = [];
  let reply: StepReply | undefined;
  for (const [i, c] of commands.entries()) {
    const before = model.lists;
    try {
      reply = model.step(c, i);
    } catch {
      break; // a step the model refuses (HookRequestError, a list the profile lacks): the rules up to here
    }
    if (i === failedAt) {
      const ran = c.op === "traverse" ? traversedList(rules, c.family, c.hook, c.device) : undefined;
      around = [`step ${i}: ${describeCommand(c)}`, ...listsAround(before, model.lists, ran)];
      break;
    }
  }
  const deciding =
    failedAt === undefined
      ? undefined
      : (placedAtDifference(trace.hits, reply, observed) ?? lastHitAt(trace.hits, `step ${failedAt}`));
  const why = deciding && explanation(HOOKS_RULES_CATALOGUE, deciding, trace.hits, around);
  return { rules: trace.hits, ...(why ? { explanation: why } : {}) };
}

/**
 * A traversal that runs hooks in another order than the model's: the rule
 * that placed the hook the model runs at the first differing position (its
 * insertion case), since the order was decided when it was registered.
 */
function placedAtDifference(
  hits: readonly RuleHit[],
  wanted: StepReply | undefined,
  observed: unknown,
): RuleHit | undefined {
  const seen = (observed as { visited?: unknown } | null)?.visited;
  if (!wanted || !("visited" in wanted) || !Array.isArray(seen)) return undefined;
  const i = wanted.visited.findIndex((name, k) => seen[k] !== name);
  const name = i < 0 ? undefined : wanted.visited[i];
  if (name === undefined) return undefined;
  return lastHitAt(hits, undefined, (h) => h.rule.startsWith("insert-") && (h.detail ?? "").startsWith(`${name}@`));
}
