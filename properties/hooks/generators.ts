// fast-check generators for the hooks area: command sequences mixing every
// family, hook and device, duplicate and extreme priorities, drops and
// unregisters; a same-list scenario for ordering; a scenario at the 1024 limit.
// Names are assigned after generation (h0, h1, ... by position), so shrinking
// never makes two live hooks share a name.
import fc from "fast-check";
import {
  HOOK_FAMILIES,
  HOOK_NAMES,
  INT_MAX,
  INT_MIN,
  TRAVERSE_FAMILIES,
  type HookFamily,
  type HookName,
  type TraverseFamily,
} from "../../model/hooks/families.js";
import { FAMILY_HOOKS, listHead, registrationFamilies, type ListKey } from "../../model/hooks/list-head.js";
import { landmarkPriorities } from "../../model/hooks/priorities.js";
import { hooksRules, type HooksRules } from "../../model/hooks/profiles.js";
import { traversedList } from "../../model/hooks/traverse.js";
import type { HookCommand, RegisterCommand, SequenceInput, TraverseCommand } from "./commands.js";

/** Names the protocol's namespace does not have: registering on them must fail. */
const MISSING_DEVICES = ["veth2", "dummy0"] as const;

/** Landmarks and their neighbours, a small pool that repeats, the int32 ends, anything. */
export function priority(): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...landmarkPriorities()) },
    { weight: 3, arbitrary: fc.integer({ min: -2, max: 2 }) },
    { weight: 1, arbitrary: fc.constantFrom(INT_MIN, INT_MAX) },
    { weight: 2, arbitrary: fc.integer({ min: INT_MIN, max: INT_MAX }) },
  );
}

const verdict = () =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant("accept" as const) },
    { weight: 1, arbitrary: fc.constant("drop" as const) },
  );

/** The hooks a family has under these rules (inet: the inet hooks, plus ingress when it exists). */
export function familyHooks(rules: HooksRules, family: HookFamily): HookName[] {
  switch (family) {
    case "netdev":
      return rules.netdevEgress ? ["ingress", "egress"] : ["ingress"];
    case "inet":
      return rules.inetIngress ? [...FAMILY_HOOKS.ipv4, "ingress"] : [...FAMILY_HOOKS.ipv4];
    default:
      return [...FAMILY_HOOKS[family]];
  }
}

const isDeviceHook = (family: HookFamily, hook: HookName) =>
  family === "netdev" || (family === "inet" && hook === "ingress");

/** Every list a packet can traverse under these rules, as traverse commands. */
export function traverseTargets(rules: HooksRules): TraverseCommand[] {
  const targets: TraverseCommand[] = [];
  for (const family of TRAVERSE_FAMILIES) {
    for (const hook of HOOK_NAMES) {
      for (const device of family === "netdev" ? ["veth0", "veth1"] : [null]) {
        if (traversedList(rules, family, hook, device) !== undefined)
          targets.push({ op: "traverse", family, hook, device });
      }
    }
  }
  return targets;
}

export function traverseOf(key: ListKey): TraverseCommand {
  const [family, hook, device] = key.split("/") as [TraverseFamily, HookName, string | undefined];
  return { op: "traverse", family, hook, device: device ?? null };
}

/** The lists a registration lands in when it is accepted. */
export function landingLists(rules: HooksRules, reg: Pick<RegisterCommand, "family" | "hook" | "device">): ListKey[] {
  const keys: ListKey[] = [];
  for (const family of registrationFamilies(rules, reg.family, reg.hook)) {
    const head = listHead(rules, family, reg.hook, reg.device);
    if ("errno" in head) return [];
    keys.push(head.key);
  }
  return keys;
}

type Spec =
  | {
      kind: "register";
      family: HookFamily;
      hookPick: number;
      anyHook: HookName | null;
      devicePick: number;
      deviceOdd: boolean;
      priority: number;
      verdict: "accept" | "drop";
    }
  | { kind: "unregister"; pick: number }
  | { kind: "traverse"; pick: number; fromRegistered: boolean };

function specs(): fc.Arbitrary<Spec> {
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant("register" as const),
        family: fc.constantFrom(...HOOK_FAMILIES),
        hookPick: fc.nat(),
        // Now and then a hook the family may not have.
        anyHook: fc.oneof(
          { weight: 6, arbitrary: fc.constant(null) },
          { weight: 1, arbitrary: fc.constantFrom(...HOOK_NAMES) },
        ),
        devicePick: fc.nat(),
        // Device hooks without an existing device; other hooks with a (then ignored) device.
        deviceOdd: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
        priority: priority(),
        verdict: verdict(),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("unregister" as const), pick: fc.nat() }) },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant("traverse" as const),
        pick: fc.nat(),
        fromRegistered: fc.oneof(
          { weight: 3, arbitrary: fc.constant(true) },
          { weight: 1, arbitrary: fc.constant(false) },
        ),
      }),
    },
  );
}

function deviceFor(family: HookFamily, hook: HookName, pick: number, odd: boolean): string | null {
  const existing = ["veth0", "veth1"][pick % 2]!;
  if (isDeviceHook(family, hook)) return odd ? [null, ...MISSING_DEVICES][pick % 3]! : existing;
  return odd ? [existing, ...MISSING_DEVICES][pick % 3]! : null;
}

/** Turns specs into commands: names by position, unregisters and traverses aimed at earlier registrations. */
function toCommands(rules: HooksRules, list: readonly Spec[]): HookCommand[] {
  const targets = traverseTargets(rules);
  const registered: RegisterCommand[] = [];
  // biome-ignore lint/suspicious/useIterableCallbackReturn: the switch is exhaustive (tsc checks it)
  return list.map((s): HookCommand => {
    switch (s.kind) {
      case "register": {
        const hooks = familyHooks(rules, s.family);
        const hook = s.anyHook ?? hooks[s.hookPick % hooks.length]!;
        const reg: RegisterCommand = {
          op: "register",
          name: `h${registered.length}`,
          family: s.family,
          hook,
          priority: s.priority,
          verdict: s.verdict,
          device: deviceFor(s.family, hook, s.devicePick, s.deviceOdd),
        };
        registered.push(reg);
        return reg;
      }
      case "unregister": {
        // Mostly an earlier name; sometimes one never registered (ENOENT).
        if (registered.length === 0 || s.pick % 8 === 7) return { op: "unregister", name: `ghost${s.pick % 3}` };
        return { op: "unregister", name: registered[s.pick % registered.length]!.name };
      }
      case "traverse": {
        const aimed =
          s.fromRegistered && registered.length > 0 ? landingLists(rules, registered[s.pick % registered.length]!) : [];
        if (aimed.length > 0) return traverseOf(aimed[Math.floor(s.pick / registered.length) % aimed.length]!);
        return targets[s.pick % targets.length]!;
      }
    }
  });
}

/** Random sequences over every family, hook and device. */
export function mixedSequence(profile: string, maxLength = 40): fc.Arbitrary<SequenceInput> {
  const rules = hooksRules(profile);
  return fc.array(specs(), { minLength: 1, maxLength }).map((list) => ({ commands: toCommands(rules, list) }));
}

/**
 * Hooks that all land in one list (ipv4/ipv6 lists through their own family
 * and inet, a device's ingress list through netdev and inet), mostly at a few
 * repeated priorities, with traversals around unregisters.
 */
export function sameListSequence(profile: string): fc.Arbitrary<SequenceInput> {
  const rules = hooksRules(profile);
  const lists: { families: HookFamily[]; hook: HookName; device: string | null; key: ListKey }[] = [
    { families: ["ipv4", "inet"], hook: "input", device: null, key: "ipv4/input" },
    { families: ["ipv6", "inet"], hook: "prerouting", device: null, key: "ipv6/prerouting" },
    { families: ["bridge"], hook: "forward", device: null, key: "bridge/forward" },
    { families: ["arp"], hook: "output", device: null, key: "arp/output" },
    {
      families: rules.inetIngress ? ["netdev", "inet"] : ["netdev"],
      hook: "ingress",
      device: "veth0",
      key: "netdev/ingress/veth0",
    },
  ];
  const step = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant("register" as const),
        familyPick: fc.nat(),
        priority: fc.oneof(fc.integer({ min: -1, max: 1 }), priority()),
        verdict: verdict(),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("unregister" as const), pick: fc.nat() }) },
    { weight: 2, arbitrary: fc.constant({ kind: "traverse" as const }) },
  );
  return fc
    .record({ listPick: fc.nat(lists.length - 1), steps: fc.array(step, { minLength: 1, maxLength: 30 }) })
    .map(({ listPick, steps }) => {
      const target = lists[listPick]!;
      const traverse = traverseOf(target.key);
      const names: string[] = [];
      const commands: HookCommand[] = [];
      for (const s of steps) {
        if (s.kind === "register") {
          const name = `h${names.length}`;
          names.push(name);
          const family = target.families[s.familyPick % target.families.length]!;
          commands.push({
            op: "register",
            name,
            family,
            hook: target.hook,
            priority: s.priority,
            verdict: s.verdict,
            device: target.device,
          });
        } else if (s.kind === "unregister" && names.length > 0) {
          // Traverse before and after, so the effect of the removal is seen.
          commands.push(traverse, { op: "unregister", name: names[s.pick % names.length]! }, traverse);
        } else {
          commands.push(traverse);
        }
      }
      commands.push(traverse);
      return { commands };
    });
}

/**
 * One list filled to 1022, 1023 or (mostly) 1024 live hooks, then one more
 * registration that lands in it (the 1023rd, 1024th or 1025th: through inet
 * when the list is IPv6's, so IPv4 must be rolled back when it is refused),
 * traversals before and after, then an unregister and another registration.
 */
export function limitSequence(profile: string): fc.Arbitrary<SequenceInput> {
  const rules = hooksRules(profile);
  const scenarios: { fill: HookFamily; extra: HookFamily; hook: HookName; device: string | null; watch: ListKey[] }[] =
    [
      { fill: "ipv4", extra: "ipv4", hook: "input", device: null, watch: ["ipv4/input"] },
      { fill: "ipv6", extra: "inet", hook: "prerouting", device: null, watch: ["ipv6/prerouting", "ipv4/prerouting"] },
      { fill: "ipv4", extra: "inet", hook: "output", device: null, watch: ["ipv4/output", "ipv6/output"] },
      {
        fill: "inet",
        extra: "ipv6",
        hook: "postrouting",
        device: null,
        watch: ["ipv6/postrouting", "ipv4/postrouting"],
      },
      { fill: "arp", extra: "arp", hook: "output", device: null, watch: ["arp/output"] },
      { fill: "bridge", extra: "bridge", hook: "forward", device: null, watch: ["bridge/forward"] },
      {
        fill: "netdev",
        extra: rules.inetIngress ? "inet" : "netdev",
        hook: "ingress",
        device: "veth1",
        watch: ["netdev/ingress/veth1"],
      },
    ];
  const limit = rules.maxHookCount ?? 1024;
  return fc
    .record({
      scenario: fc.nat(scenarios.length - 1),
      // Each side of MAX_HOOK_COUNT, with a fixed weight: the extra hook is the 1025th, 1024th or 1023rd.
      short: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(1, 2) }),
      fillPriorities: fc.array(priority(), { minLength: 1, maxLength: 3 }),
      extraPriority: priority(),
      removePick: fc.nat(limit - 1),
      // A hook already in the other inet list, so a missing rollback shows beside it.
      bystander: fc.boolean(),
    })
    .map(({ scenario, short, fillPriorities, extraPriority, removePick, bystander }) => {
      const s = scenarios[scenario]!;
      const watch = s.watch.map(traverseOf);
      const other = s.watch[1];
      const extra = (name: string): RegisterCommand => ({
        op: "register",
        name,
        family: s.extra,
        hook: s.hook,
        priority: extraPriority,
        verdict: "accept",
        device: s.device,
      });
      const commands: HookCommand[] = [];
      if (bystander && other)
        commands.push({
          op: "register",
          name: "b0",
          family: traverseOf(other).family as HookFamily,
          hook: s.hook,
          priority: 0,
          verdict: "accept",
          device: null,
        });
      commands.push(
        {
          op: "fill",
          prefix: "f",
          count: limit - short,
          family: s.fill,
          hook: s.hook,
          device: s.device,
          priorities: fillPriorities,
          verdict: "accept",
        },
        ...watch,
        extra("x0"),
        ...watch,
        { op: "unregister", name: `f${removePick % (limit - short)}` },
        extra("x1"),
        ...watch,
      );
      return { commands };
    });
}

/** The hooks area's default input: mixed sequences and same-list ones. */
export function hookSequence(profile: string): fc.Arbitrary<SequenceInput> {
  return fc.oneof(
    { weight: 2, arbitrary: mixedSequence(profile) },
    { weight: 1, arbitrary: sameListSequence(profile) },
  );
}
