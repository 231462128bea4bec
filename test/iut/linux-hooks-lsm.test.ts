// A security module's own entries (AppArmor's apparmor_ip_postroute on
// Debian's 6.1 and 6.12) take one of the 1024 in ipv4 and ipv6 postrouting
// of every namespace: the kernel hooks area declines the registration the
// LSM's entry alone makes the kernel refuse, instead of reporting an E2BIG the
// core's protocol would not give (docs/iut-kernel-versions.md). No kernel
// here: a stand-in session accepts every batch; lsmHookEntries() reads a
// stand-in sysfs.
import { describe, expect, it } from "vitest";
import type { NftSession } from "../../iut/linux/nft-session.js";
import { lsmHookEntries, type KernelOwnEntries } from "../../iut/linux/hooks/lsm-hooks.js";
import { HookChains } from "../../iut/linux/hooks/registry.js";
import { AdapterReplyError } from "../../iut/iut.js";
import type { HookFamily, HookName } from "../../model/hooks/families.js";
import type { BatchEntry } from "../../wire/netlink/nfnetlink.js";

const accepting = {
  apply: (entries: readonly BatchEntry[]) => ({ committed: true, errnos: entries.map(() => 0) }),
} as unknown as NftSession;

const sysfs = (files: Record<string, string>) => ({
  read: (path: string) => files[path] ?? null,
  exists: (path: string) => path in files,
});
const APPARMOR = lsmHookEntries(sysfs({ "/sys/module/apparmor/parameters/enabled": "Y\n" }))!;

/** Registers `count` chains at family/hook (names c0...) and returns the reply of one more, or its decline. */
function fillThenOne(lsm: KernelOwnEntries | null, fill: HookFamily[], family: HookFamily, hook: HookName) {
  const chains = new HookChains(() => accepting, lsm);
  const reg = (name: string, f: HookFamily) =>
    chains.register({ name, family: f, hook, priority: 0, verdict: "accept", device: null });
  for (const [i, f] of fill.entries()) expect(reg(`c${i}`, f)).toBe(0);
  try {
    return reg("last", family);
  } catch (error) {
    if (error instanceof AdapterReplyError) return error.message;
    throw error;
  }
}

const times = (n: number, f: HookFamily): HookFamily[] => Array.from({ length: n }, () => f);

describe("kernel hooks area: entries an LSM holds in every namespace", () => {
  it("reads which LSM is enabled from sysfs", () => {
    expect(APPARMOR.holder).toMatch(/AppArmor/);
    expect(APPARMOR.lists.get(2)).toEqual({ postrouting: 1 });
    expect(lsmHookEntries(sysfs({ "/sys/module/apparmor/parameters/enabled": "N\n" }))).toBeNull();
    const selinux = lsmHookEntries(sysfs({ "/sys/fs/selinux": "" }))!;
    expect(selinux.lists.get(10)).toEqual({ forward: 1, output: 1, postrouting: 1 });
    expect(lsmHookEntries(sysfs({}))).toBeNull();
  });

  it("declines the 1024th inet, ipv4 or ipv6 postrouting chain where AppArmor holds one entry", () => {
    expect(fillThenOne(APPARMOR, times(1023, "inet"), "inet", "postrouting")).toMatch(
      /AppArmor's apparmor_nf_ops holds 1 of the ipv4 list's 1024/,
    );
    expect(fillThenOne(APPARMOR, times(1023, "ipv6"), "ipv6", "postrouting")).toMatch(/ipv6 list's 1024/);
    // ipv4 and inet chains share the ipv4 list; ipv6 ones are not in it.
    expect(fillThenOne(APPARMOR, [...times(1000, "ipv4"), ...times(23, "inet")], "ipv4", "postrouting")).toMatch(
      /ipv4 list/,
    );
    expect(fillThenOne(APPARMOR, times(1023, "ipv6"), "ipv4", "postrouting")).toBe(0);
  });

  it("sends the 1023rd, other hooks' 1024th, and every 1024th without an LSM", () => {
    expect(fillThenOne(APPARMOR, times(1022, "inet"), "inet", "postrouting")).toBe(0);
    expect(fillThenOne(APPARMOR, times(1023, "inet"), "inet", "input")).toBe(0);
    expect(fillThenOne(null, times(1023, "inet"), "inet", "postrouting")).toBe(0);
  });
});
