// The hook entries a security module registers in every network namespace,
// the area's too, and which count against MAX_HOOK_COUNT beside ours
// (nf_hook_entries_grow() counts every live entry). An LSM registers them from
// a pernet init when it is the enabled one at boot:
//   AppArmor (security/apparmor/lsm.c, apparmor_nf_ops, CONFIG_NETWORK_SECMARK):
//     apparmor_ip_postroute on ipv4 and ipv6 postrouting, if apparmor_enabled;
//   SELinux (security/selinux/hooks.c, selinux_nf_ops): selinux_ip_forward,
//     selinux_ip_output and selinux_ip_postroute on ipv4 and ipv6 forward,
//     output and postrouting, if selinux_enabled_boot.
// Measured on Debian's 6.12 and 6.1 in the VM (docs/iut-kernel-versions.md):
// AppArmor is their default LSM, and a fresh namespace then takes 1023 ip,
// ip6 or inet postrouting chains, the 1024th is E2BIG; with
// `lsm=lockdown,capability,yama` all 1024 fit; with `apparmor=0` SELinux
// takes over and holds the same postrouting entry. The host (6.18, no
// securityfs) has neither.
import { existsSync, readFileSync } from "node:fs";
import type { HookName } from "../../../model/hooks/families.js";
import { NFPROTO_IPV4, NFPROTO_IPV6 } from "../../../wire/netlink/nfnetlink.js";

/** Entries a kernel component holds in one namespace's lists: nfproto -> hook -> count, and who holds them. */
export interface KernelOwnEntries {
  holder: string;
  lists: ReadonlyMap<number, Partial<Record<HookName, number>>>;
}

/** What the running kernel's sysfs says, as the two reads this needs. */
export interface SysfsReader {
  read(path: string): string | null;
  exists(path: string): boolean;
}

const realSysfs: SysfsReader = {
  read: (path) => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return null;
    }
  },
  exists: (path) => existsSync(path),
};

const bothFamilies = (hooks: Partial<Record<HookName, number>>) =>
  new Map([
    [NFPROTO_IPV4, hooks],
    [NFPROTO_IPV6, hooks],
  ]);

/**
 * The enabled LSM's entries, or null when none with netfilter hooks is
 * enabled. apparmor_enabled is the module parameter `enabled` (built in: its
 * sysfs file exists whether or not AppArmor was chosen); SELinux creates its
 * /sys/fs/selinux mount point only when selinux_enabled_boot (init_sel_fs()).
 */
export function lsmHookEntries(sysfs: SysfsReader = realSysfs): KernelOwnEntries | null {
  if (sysfs.read("/sys/module/apparmor/parameters/enabled")?.trim() === "Y")
    return { holder: "AppArmor's apparmor_nf_ops", lists: bothFamilies({ postrouting: 1 }) };
  if (sysfs.exists("/sys/fs/selinux"))
    return { holder: "SELinux's selinux_nf_ops", lists: bothFamilies({ forward: 1, output: 1, postrouting: 1 }) };
  return null;
}
