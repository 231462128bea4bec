// Rtnetlink (sys/rtnetlink.ts) makes the changes `ip -batch` makes for the
// same NetOps: the frag6 case network, and every other kind of op, compared
// through what `ip -j` shows in a namespace of each (fixtures/rtnetlink-vs-ip.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildForChildren, runInNamespace } from "./child.js";

let build: ReturnType<typeof buildForChildren>;
beforeAll(() => {
  build = buildForChildren();
});
afterAll(() => build.cleanup());

describe("Rtnetlink against ip -batch", () => {
  it("leaves the same links, addresses, routes and neighbours, and names the op that failed", () => {
    const r = runInNamespace(build.fixture("rtnetlink-vs-ip"));
    expect(r.status, r.stderr).toBe(0);
    for (const list of ["veth", "more"]) expect(r.json[list].rtnetlink, list).toEqual(r.json[list].ip);
    // Not vacuous: the lists made what they say.
    const links = r.json.more.ip.links.map((l: { ifname: string; ifindex: number }) => `${l.ifname}/${l.ifindex}`);
    expect(links).toEqual(expect.arrayContaining(["a0/20", "a1/21", "br0/30"]));
    expect(links.some((l: string) => l.startsWith("b0/"))).toBe(false);
    // br1 asked for mcast_snooping 0 (bridge-add mcastSnooping: false), br0 left the default.
    const snooping = (json: { links: { ifname: string; linkinfo?: { info_data?: { mcast_snooping?: number } } }[] }) =>
      Object.fromEntries(
        json.links
          .filter((l) => l.ifname.startsWith("br"))
          .map((l) => [l.ifname, l.linkinfo?.info_data?.mcast_snooping]),
      );
    for (const impl of ["ip", "rtnetlink"]) expect(snooping(r.json.more[impl]), impl).toEqual({ br0: 1, br1: 0 });
    expect(JSON.stringify(r.json.veth.ip.addresses)).toContain("2001:db8::2");
    expect(r.json.error).toMatch(/^rtnetlink: `addr add 2001:db8::9\/128 dev nosuchdev nodad`: .*ENODEV/);
    expect(r.json.duplicate).toMatch(/^rtnetlink: `link add veth0 .*` failed: EEXIST$/);
    expect(r.json.tinyMtu).toBe(
      "rtnetlink: `link set dev veth0 mtu 10` failed: EINVAL (kernel: mtu less than device minimum)",
    );
    expect(r.json.activation).toEqual({ waited: [], missing: ["nosuchdev missing"] });
  });
});
