// The kernel hooks area reports nftables' refusal of hook 5 (ipv4, ipv6,
// bridge) as the core's EINVAL only when nftables gives exactly EOPNOTSUPP
// (SHARED_REFUSALS): an acceptance or another errno goes out as nftables gave
// it, so a kernel (or a model) that accepted the hook would disagree. No kernel
// here: a stand-in session answers the batch; the real answer is in
// linux-hooks-bridge-arp.test.ts and linux-hooks-facts.mjs.
import { describe, expect, it } from "vitest";
import type { NftSession } from "../../iut/linux/nft-session.js";
import { PAST_NUMBERING, SHARED_REFUSALS } from "../../iut/linux/hooks/kernel-hooks.js";
import { HookChains } from "../../iut/linux/hooks/registry.js";
import type { HookFamily, HookName } from "../../model/hooks/families.js";
import { EINVAL, ENOENT, EOPNOTSUPP } from "../../sys/errno.js";
import type { BatchEntry } from "../../wire/netlink/nfnetlink.js";
import { NFT_MSG_NEWCHAIN, NFTA_CHAIN_HOOK, NFTA_HOOK_HOOKNUM } from "../../wire/netlink/nftables-constants.js";

/** A session whose chain entries (NFT_MSG_NEWCHAIN) answer `chainErrno`; everything else 0. */
function session(chainErrno: number): { session: NftSession; sent: BatchEntry[][] } {
  const sent: BatchEntry[][] = [];
  const apply = (entries: readonly BatchEntry[]) => {
    sent.push([...entries]);
    const errnos = entries.map((e) => (e.msg === NFT_MSG_NEWCHAIN ? chainErrno : 0));
    return { committed: errnos.every((e) => e === 0), errnos };
  };
  return { session: { apply } as unknown as NftSession, sent };
}

/** NFTA_HOOK_HOOKNUM of a NEWCHAIN entry: the first attribute inside NFTA_CHAIN_HOOK (nlattr: u16 len, u16 type). */
function hookNumber(entry: BatchEntry): number {
  const hook = entry.attributes.find(
    (a) => (new DataView(a.buffer, a.byteOffset).getUint16(2, true) & 0x7fff) === NFTA_CHAIN_HOOK,
  )!;
  expect(new DataView(hook.buffer, hook.byteOffset).getUint16(6, true)).toBe(NFTA_HOOK_HOOKNUM);
  return new DataView(hook.buffer, hook.byteOffset).getUint32(8, false);
}

function register(chainErrno: number, family: HookFamily, hook: HookName) {
  const { session: s, sent } = session(chainErrno);
  const chains = new HookChains(() => s);
  const reg = () => chains.register({ name: "x", family, hook, priority: 0, verdict: "accept", device: null });
  return { reg, sent };
}

describe("kernel hooks area: refusals shared by nftables and the core", () => {
  it.each(["ipv4", "ipv6", "bridge"] as const)("%s hook 5: nftables' EOPNOTSUPP is the core's EINVAL", (family) => {
    const { reg, sent } = register(EOPNOTSUPP, family, "ingress");
    expect(reg()).toBe(EINVAL);
    expect(sent).toHaveLength(1); // asked once, with the chain on hook 5
    expect(SHARED_REFUSALS.hook5).toMatchObject({ nftables: EOPNOTSUPP, core: EINVAL });
  });

  it.each([
    ["ipv4", "egress", 6],
    ["ipv6", "egress", 6],
    ["inet", "egress", 6],
    ["bridge", "egress", 6],
    ["arp", "prerouting", 3],
    ["arp", "ingress", 3],
    ["netdev", "input", 2],
    ["netdev", "postrouting", 2],
  ] as const)(
    "%s %s (no number in the family): sent as %d, nftables' EOPNOTSUPP is the core's EINVAL",
    (family, hook, number) => {
      const { reg, sent } = register(EOPNOTSUPP, family, hook);
      expect(reg()).toBe(EINVAL);
      expect(sent).toHaveLength(1);
      const chain = sent[0]!.find((e) => e.msg === NFT_MSG_NEWCHAIN)!;
      expect(hookNumber(chain)).toBe(number);
      expect(PAST_NUMBERING[family]).toBe(number);
      // Accepted (a kernel with such a list) or refused otherwise: reported as nftables gave it.
      expect(register(0, family, hook).reg()).toBe(0);
      expect(register(ENOENT, family, hook).reg()).toBe(ENOENT);
    },
  );

  it("an acceptance or another errno is reported as nftables gave it", () => {
    expect(register(0, "ipv4", "ingress").reg()).toBe(0);
    expect(register(ENOENT, "ipv6", "ingress").reg()).toBe(ENOENT);
    // Mapped only where the refusal is shared: ipv4 input's EOPNOTSUPP stays EOPNOTSUPP.
    expect(register(EOPNOTSUPP, "ipv4", "input").reg()).toBe(EOPNOTSUPP);
  });

  it("in a partial batch, answers unjudged what only nftables would answer, and judges the rest", () => {
    const { session: s, sent } = session(0);
    const chains = new HookChains(() => s);
    const reg = (name: string, family: HookFamily, hook: HookName, device: string | null = null) => ({
      op: "register" as const,
      registration: { name, family, hook, priority: 0, verdict: "accept" as const, device },
    });
    const replies = chains.apply(
      [
        reg("m", "netdev", "ingress", "dummy0"), // a missing device: unjudged, nothing sent
        reg("a", "ipv4", "input"),
        reg("f", "arp", "forward"),
        { op: "unregister", name: "m" }, // its name is unknown: unjudged, and unregistered after
        reg("m", "ipv4", "output"), // judged again
        { op: "unregister", name: "nobody" },
      ],
      true,
    );
    expect(replies).toEqual([
      { unjudged: expect.stringMatching(/^netdev ingress: nftables keeps a device chain on the name "dummy0"/) },
      0,
      { unjudged: expect.stringMatching(/^arp forward: /) },
      { unjudged: expect.stringMatching(/its name's registration was not judged/) },
      0,
      ENOENT,
    ]);
    const chainsSent = sent.flat().filter((e) => e.msg === NFT_MSG_NEWCHAIN);
    expect(chainsSent).toHaveLength(2); // a and the second m
    // Not partial: the same step is declined, as alone.
    const alone = new HookChains(() => s);
    expect(() => alone.register(reg("m", "netdev", "ingress", "dummy0").registration)).toThrow(/dummy0/);
  });

  it("still declines what no interface reaches", () => {
    expect(() => register(0, "arp", "forward").reg()).toThrow(/NF_ARP_FORWARD/);
    expect(() => register(0, "netdev", "ingress").reg()).toThrow(/with no device/);
    expect(() => register(0, "inet", "ingress").reg()).toThrow(/with no device/);
  });
});
