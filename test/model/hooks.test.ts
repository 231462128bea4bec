// Unit tests of the hook rules (net/netfilter/core.c), one per rule.
import { describe, expect, it } from "vitest";
import {
  conntrackActive,
  disableConntrack,
  enableConntrack,
  kernelHooksBefore,
} from "../../model/hooks/conntrack-hooks.js";
import { E2BIG, EINVAL, ENOENT } from "../../sys/errno.js";
import { INT_MAX, INT_MIN, type HookFamily, type HookName } from "../../model/hooks/families.js";
import {
  EMPTY_HOOK_NAMESPACE,
  HookRequestError,
  registeredIn,
  registerHook,
  unregisterHook,
  type HookNamespace,
  type HookRegistration,
} from "../../model/hooks/namespace.js";
import { HOOKS_RULES, hooksRules, type HooksProfile } from "../../model/hooks/profiles.js";
import { traverse, traversedList } from "../../model/hooks/traverse.js";
import { ModelIut } from "../../iut/model/model-iut.js";
import { AdapterReplyError } from "../../iut/iut.js";

const LINUX = HOOKS_RULES.linux;

function reg(name: string, over: Partial<HookRegistration> = {}): HookRegistration {
  return { name, family: "ipv4", hook: "input", priority: 0, verdict: "accept", device: null, ...over };
}

/** Registers in order, expecting each errno (0 unless given). */
function build(regs: HookRegistration[], profile: HooksProfile = "linux", errnos: number[] = []): HookNamespace {
  let ns = EMPTY_HOOK_NAMESPACE;
  regs.forEach((r, i) => {
    const out = registerHook(ns, r, hooksRules(profile));
    expect(out.errno, r.name).toBe(errnos[i] ?? 0);
    ns = out.ns;
  });
  return ns;
}

const visited = (ns: HookNamespace, key: string) => traverse(ns, key).visited;

describe("registration order (nf_hook_entries_grow)", () => {
  it("a(10), b(-5), c(10) in that order traverse as b, c, a (measured on 6.18)", () => {
    const ns = build([reg("a", { priority: 10 }), reg("b", { priority: -5 }), reg("c", { priority: 10 })]);
    expect(visited(ns, "ipv4/input")).toEqual(["b", "c", "a"]);
  });

  it("the linked-list era placed an equal priority after: b, a, c", () => {
    const ns = build(
      [reg("a", { priority: 10 }), reg("b", { priority: -5 }), reg("c", { priority: 10 })],
      "linux-list",
    );
    expect(visited(ns, "ipv4/input")).toEqual(["b", "a", "c"]);
  });

  it("the seed is already the array code: same order as current Linux", () => {
    const ns = build(
      [reg("a", { priority: 10 }), reg("b", { priority: -5 }), reg("c", { priority: 10 })],
      "linux-seed",
    );
    expect(visited(ns, "ipv4/input")).toEqual(["b", "c", "a"]);
  });

  it("sorts the int32 extremes and keeps lists apart", () => {
    const ns = build([
      reg("max", { priority: INT_MAX }),
      reg("min", { priority: INT_MIN }),
      reg("zero"),
      reg("out", { hook: "output" }),
    ]);
    expect(visited(ns, "ipv4/input")).toEqual(["min", "zero", "max"]);
    expect(visited(ns, "ipv4/output")).toEqual(["out"]);
    expect(visited(ns, "ipv6/input")).toEqual([]);
  });
});

describe("MAX_HOOK_COUNT (1024 live entries per list)", () => {
  const fill = (n: number, over: Partial<HookRegistration> = {}) =>
    Array.from({ length: n }, (_, i) => reg(`f${i}`, { priority: i % 3, ...over }));

  it("refuses the 1025th with E2BIG and changes nothing", () => {
    const ns = build(fill(1024));
    const before = visited(ns, "ipv4/input");
    const out = registerHook(ns, reg("x"), LINUX);
    expect(out.errno).toBe(E2BIG);
    expect(visited(out.ns, "ipv4/input")).toEqual(before);
    expect(registeredIn(out.ns, "x")).toEqual([]);
  });

  it("counts live entries only: after an unregister there is room again", () => {
    const ns = unregisterHook(build(fill(1024)), "f7").ns;
    expect(registerHook(ns, reg("x"), LINUX).errno).toBe(0);
  });

  it("rolls the IPv4 half of an inet hook back when IPv6 is full", () => {
    const ns = build([reg("v4", { priority: 5 }), ...fill(1024, { family: "ipv6" })]);
    const out = registerHook(ns, reg("x", { family: "inet", priority: -1 }), LINUX);
    expect(out.errno).toBe(E2BIG);
    expect(visited(out.ns, "ipv4/input")).toEqual(["v4"]);
  });

  it("has no limit in the linked-list era", () => {
    const ns = build(fill(1024), "linux-list");
    expect(registerHook(ns, reg("x"), HOOKS_RULES["linux-list"]).errno).toBe(0);
  });
});

describe("families, hooks and devices (__nf_register_net_hook, nf_hook_entry_head)", () => {
  const errnoOf = (family: HookFamily, hook: HookName, device: string | null, profile: HooksProfile = "linux") =>
    registerHook(EMPTY_HOOK_NAMESPACE, reg("x", { family, hook, device }), hooksRules(profile)).errno;

  it("inet registers IPv4 then IPv6: one hook in both lists", () => {
    const ns = build([reg("i", { family: "inet", hook: "forward" })]);
    expect(visited(ns, "ipv4/forward")).toEqual(["i"]);
    expect(visited(ns, "ipv6/forward")).toEqual(["i"]);
  });

  it("inet ingress and netdev ingress share the device's ingress list", () => {
    const ns = build([
      reg("n", { family: "netdev", hook: "ingress", device: "veth0", priority: 1 }),
      reg("i", { family: "inet", hook: "ingress", device: "veth0", priority: 0 }),
      reg("other", { family: "netdev", hook: "ingress", device: "veth1" }),
    ]);
    expect(visited(ns, "netdev/ingress/veth0")).toEqual(["i", "n"]);
    expect(visited(ns, "netdev/ingress/veth1")).toEqual(["other"]);
  });

  it("device hooks need an existing device: EINVAL without one or for an unknown name", () => {
    expect(errnoOf("netdev", "ingress", null)).toBe(EINVAL);
    expect(errnoOf("netdev", "egress", "veth7")).toBe(EINVAL);
    expect(errnoOf("inet", "ingress", null)).toBe(EINVAL);
    expect(errnoOf("netdev", "egress", "veth1")).toBe(0);
  });

  it("a hook the family lacks is EINVAL", () => {
    expect(errnoOf("netdev", "input", "veth0")).toBe(EINVAL);
    expect(errnoOf("ipv4", "ingress", null)).toBe(EINVAL);
    expect(errnoOf("ipv6", "egress", null)).toBe(EINVAL);
    expect(errnoOf("arp", "prerouting", null)).toBe(EINVAL);
    expect(errnoOf("bridge", "ingress", null)).toBe(EINVAL);
    expect(errnoOf("inet", "egress", "veth0")).toBe(EINVAL);
    expect(errnoOf("arp", "forward", null)).toBe(0);
  });

  it("ignores a device on hooks that are not device hooks", () => {
    expect(errnoOf("ipv4", "prerouting", "veth9")).toBe(0);
  });

  it("the seed era has no inet ingress and no netdev egress", () => {
    expect(errnoOf("inet", "ingress", "veth0", "linux-seed")).toBe(EINVAL);
    expect(errnoOf("netdev", "egress", "veth0", "linux-seed")).toBe(EINVAL);
    expect(errnoOf("netdev", "ingress", "veth0", "linux-seed")).toBe(0);
  });
});

describe("unregister (nf_unregister_net_hook)", () => {
  it("removes the hook from every list and keeps the others' order", () => {
    const ns = build([reg("a"), reg("b", { family: "inet" }), reg("c"), reg("d", { priority: -3 })]);
    const out = unregisterHook(ns, "b");
    expect(out.errno).toBe(0);
    expect(visited(out.ns, "ipv4/input")).toEqual(["d", "c", "a"]);
    expect(visited(out.ns, "ipv6/input")).toEqual([]);
  });

  it("answers ENOENT for an unknown name", () => {
    expect(unregisterHook(EMPTY_HOOK_NAMESPACE, "nope").errno).toBe(ENOENT);
  });

  it("a registered name cannot be registered again (request-level: invalid)", () => {
    const ns = build([reg("a")]);
    expect(() => registerHook(ns, reg("a", { hook: "output" }), LINUX)).toThrow(HookRequestError);
    expect(registerHook(unregisterHook(ns, "a").ns, reg("a"), LINUX).errno).toBe(0);
  });
});

describe("traversal (nf_hook_slow)", () => {
  it("stops at the first drop", () => {
    const ns = build([
      reg("a", { priority: 1 }),
      reg("d", { priority: 2, verdict: "drop" }),
      reg("z", { priority: 3 }),
    ]);
    expect(traverse(ns, "ipv4/input")).toEqual({ visited: ["a", "d"], verdict: "drop" });
  });

  it("an empty list accepts", () => {
    expect(traverse(EMPTY_HOOK_NAMESPACE, "ipv6/output")).toEqual({ visited: [], verdict: "accept" });
  });

  it("has no list for hooks a family lacks", () => {
    expect(traversedList(LINUX, "ipv4", "ingress", null)).toBeUndefined();
    expect(traversedList(LINUX, "netdev", "ingress", null)).toBeUndefined();
    expect(traversedList(LINUX, "netdev", "egress", "veth1")).toBe("netdev/egress/veth1");
  });
});

describe("conntrack's own hooks (optional layer)", () => {
  it("place defrag at -400, conntrack at -200 and confirm last, never listed", () => {
    const before = build([reg("early", { family: "ipv6", hook: "prerouting", priority: -400 })]);
    let ns = enableConntrack(before, LINUX).ns;
    expect(conntrackActive(ns)).toBe(true);
    // Registered after defrag at the same priority: runs before it (sees fragments).
    ns = registerHook(ns, reg("tie", { family: "ipv6", hook: "prerouting", priority: -400 }), LINUX).ns;
    ns = registerHook(ns, reg("late", { family: "ipv6", hook: "prerouting", priority: -399 }), LINUX).ns;
    expect(kernelHooksBefore(ns, "ipv6/prerouting", "tie")).toEqual([]);
    expect(kernelHooksBefore(ns, "ipv6/prerouting", "early")).toEqual(["ipv6_defrag"]);
    expect(kernelHooksBefore(ns, "ipv6/prerouting", "late")).toEqual(["ipv6_defrag"]);
    expect(traverse(ns, "ipv6/prerouting").visited).toEqual(["tie", "early", "late"]);
    expect(conntrackActive(disableConntrack(ns))).toBe(false);
  });

  it("count towards the limit (two of them in IPv4 prerouting)", () => {
    const full = build(Array.from({ length: 1022 }, (_, i) => reg(`f${i}`, { hook: "prerouting" })));
    const out = enableConntrack(full, LINUX);
    expect(out.errno).toBe(0);
    expect(registerHook(out.ns, reg("x", { hook: "prerouting" }), LINUX).errno).toBe(E2BIG);
  });
});

describe("the model IUT", () => {
  it("keeps hooks between requests and forgets them on reset", async () => {
    const iut = new ModelIut();
    await iut.call("hooks.register", { ...reg("a") });
    expect(await iut.call("hooks.traverse", { family: "ipv4", hook: "input", device: null })).toEqual({
      visited: ["a"],
      verdict: "accept",
    });
    await iut.call("reset", {});
    expect(await iut.call("hooks.traverse", { family: "ipv4", hook: "input", device: null })).toEqual({
      visited: [],
      verdict: "accept",
    });
  });

  it("answers invalid for a duplicate name, a malformed request or a list that does not exist", async () => {
    const iut = new ModelIut();
    await iut.call("hooks.register", { ...reg("a") });
    await expect(iut.call("hooks.register", { ...reg("a") })).rejects.toBeInstanceOf(AdapterReplyError);
    await expect(iut.call("hooks.register", { ...reg("b"), priority: 2 ** 31 })).rejects.toThrow(/priority/);
    await expect(iut.call("hooks.traverse", { family: "netdev", hook: "ingress", device: "veth9" })).rejects.toThrow(
      /invalid/,
    );
  });
});
