// The hooks generators reach every class the properties depend on.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HOOK_FAMILIES, HOOK_NAMES, INT_MAX, INT_MIN, TRAVERSE_FAMILIES } from "../../model/hooks/families.js";
import { HOOKS_PROFILES } from "../../model/hooks/profiles.js";
import { landmarkPriorities } from "../../model/hooks/priorities.js";
import { registrationsOf, type SequenceInput } from "../../properties/hooks/commands.js";
import { hooksRules } from "../../model/hooks/profiles.js";
import { hookSequence, landingLists, limitSequence, sameListSequence } from "../../properties/hooks/generators.js";
import { validateSequenceInput } from "../../properties/hooks/input-validation.js";
import { modelReplies } from "../../properties/hooks/model-run.js";

const LANDMARKS = new Set(
  landmarkPriorities().filter((p) => Math.abs(p) < 1000 && p !== 0 && Math.abs(p) !== 1 && Math.abs(p) !== 2),
);

function classesOf(input: SequenceInput, profile: string): string[] {
  const rules = hooksRules(profile);
  const classes: string[] = [];
  const regs = registrationsOf(input.commands);
  for (const { registration: r } of regs) {
    classes.push(`family ${r.family}`, `hook ${r.hook}`);
    if (r.priority === INT_MIN) classes.push("INT_MIN");
    if (r.priority === INT_MAX) classes.push("INT_MAX");
    if (LANDMARKS.has(r.priority)) classes.push("named priority or neighbour");
    if (r.verdict === "drop") classes.push("drop");
    const deviceHook = r.family === "netdev" || (r.family === "inet" && r.hook === "ingress");
    if (deviceHook)
      classes.push(
        r.device === "veth0" || r.device === "veth1"
          ? "device hook on veth"
          : r.device === null
            ? "device hook without device"
            : "device hook on missing device",
      );
    else if (r.device !== null) classes.push("device on a non-device hook");
  }
  // Two hooks of equal priority in one list.
  const seen = new Set<string>();
  for (const { registration: r } of regs) {
    for (const key of landingLists(rules, r)) {
      const id = `${key}@${r.priority}`;
      if (seen.has(id)) classes.push("duplicate priority in a list");
      seen.add(id);
    }
  }
  const replies = modelReplies(input.commands, profile);
  input.commands.forEach((c, i) => {
    const reply = replies[i]!;
    if (c.op === "traverse")
      classes.push(
        `traverse ${c.family}`,
        "visited" in reply && reply.visited.length > 1 ? "traversal of several hooks" : "short traversal",
      );
    if (c.op === "traverse" && "verdict" in reply && reply.verdict === "drop") classes.push("traversal dropped");
    if (c.op === "unregister" && "errno" in reply)
      classes.push(reply.errno === 0 ? "unregister" : "unregister unknown");
    if (c.op === "register" && "errno" in reply) classes.push(`register errno ${reply.errno}`);
    if ("errnos" in reply) for (const [e] of reply.errnos) classes.push(`fill errno ${e}`);
  });
  if (
    input.commands.some(
      (c, i) =>
        c.op === "register" &&
        c.family === "inet" &&
        "errno" in replies[i]! &&
        (replies[i] as { errno: number }).errno === 7,
    )
  ) {
    classes.push("inet refused at the limit");
  }
  return classes;
}

function statistics(arb: fc.Arbitrary<SequenceInput>, profile: string, numRuns: number): Map<string, number> {
  const seen = new Map<string, number>();
  fc.statistics(
    arb,
    (input) => {
      for (const c of new Set(classesOf(input, profile))) seen.set(c, (seen.get(c) ?? 0) + 1);
      return "";
    },
    { numRuns, seed: 1, logger: () => {} },
  );
  return seen;
}

describe("hooks generators", () => {
  it("reach every family, hook, device class, priority class, drop and unregister", () => {
    const seen = statistics(hookSequence("linux"), "linux", 1000);
    const wanted = [
      ...HOOK_FAMILIES.map((f) => `family ${f}`),
      ...HOOK_NAMES.map((h) => `hook ${h}`),
      ...TRAVERSE_FAMILIES.map((f) => `traverse ${f}`),
      "device hook on veth",
      "device hook without device",
      "device hook on missing device",
      "device on a non-device hook",
      "duplicate priority in a list",
      "INT_MIN",
      "INT_MAX",
      "named priority or neighbour",
      "drop",
      "traversal dropped",
      "traversal of several hooks",
      "unregister",
      "unregister unknown",
      "register errno 0",
      "register errno 22",
    ];
    for (const c of wanted) expect(seen.get(c) ?? 0, c).toBeGreaterThan(10);
  });

  it("reach the 1024 limit, with inet rolled back, in every profile that has it", () => {
    const seen = statistics(limitSequence("linux"), "linux", 60);
    for (const c of ["fill errno 0", "register errno 7", "inet refused at the limit", "unregister"])
      expect(seen.get(c) ?? 0, c).toBeGreaterThan(3);
    expect(statistics(limitSequence("linux-list"), "linux-list", 20).get("register errno 7") ?? 0).toBe(0);
  });

  it("put several hooks of equal priority in one list", () => {
    const seen = statistics(sameListSequence("linux"), "linux", 300);
    expect(seen.get("duplicate priority in a list") ?? 0).toBeGreaterThan(100);
    expect(seen.get("unregister") ?? 0).toBeGreaterThan(100);
  });

  it("make inputs that validate as they are saved, in every profile", () => {
    for (const profile of HOOKS_PROFILES) {
      for (const input of fc.sample(hookSequence(profile), { numRuns: 200, seed: 3 })) {
        expect(validateSequenceInput(JSON.parse(JSON.stringify(input)))).toEqual(input);
      }
    }
  });

  it("reject malformed corpus input with a clear reason", () => {
    expect(() => validateSequenceInput({})).toThrow(/"commands" must be a non-empty array/);
    expect(() =>
      validateSequenceInput({
        commands: [
          { op: "register", name: "a", family: "ipx", hook: "input", priority: 0, verdict: "accept", device: null },
        ],
      }),
    ).toThrow(/family/);
    expect(() =>
      validateSequenceInput({
        commands: [
          {
            op: "register",
            name: "a",
            family: "ipv4",
            hook: "input",
            priority: 2 ** 31,
            verdict: "accept",
            device: null,
          },
        ],
      }),
    ).toThrow(/int32/);
    const a = {
      op: "register",
      name: "a",
      family: "ipv4",
      hook: "input",
      priority: 0,
      verdict: "accept",
      device: null,
    };
    expect(() => validateSequenceInput({ commands: [a, a] })).toThrow(/registered again/);
    expect(validateSequenceInput({ commands: [a, { op: "unregister", name: "a" }, a] }).commands).toHaveLength(3);
    expect(() =>
      validateSequenceInput({ commands: [{ op: "traverse", family: "netdev", hook: "ingress", device: null }] }),
    ).toThrow(/no netdev ingress list/);
    expect(() =>
      validateSequenceInput({
        commands: [
          {
            op: "fill",
            prefix: "f",
            count: 0,
            family: "ipv4",
            hook: "input",
            device: null,
            priorities: [0],
            verdict: "accept",
          },
        ],
      }),
    ).toThrow(/count/);
    expect(() => validateSequenceInput({ commands: [{ op: "jump" }] })).toThrow(/"op" must be/);
  });
});
