// Socket tests that need a network namespace: each runs a fixture in a fresh
// one (never the host's), as root and, where it matters, as uid 65534.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wrapInNamespace } from "../../sys/namespace.js";
import { buildForChildren, runAsNobody, runInNamespace } from "./child.js";

let build: ReturnType<typeof buildForChildren>;
beforeAll(() => {
  build = buildForChildren();
});
afterAll(() => build.cleanup());

function expectNetlinkReplies(json: any): void {
  // CAP_ACK: ERROR (2) with NLM_F_CAPPED (0x100), -ENOENT, only the 16-byte header echoed.
  expect(json.capAck).toMatchObject({
    type: 2,
    flags: 0x100,
    seq: 42,
    error: -2,
    length: 36,
    echoedLen: json.requestLen,
    extra: "none",
  });
  // Without CAP_ACK the whole request comes back.
  expect(json.noCapAck).toMatchObject({ type: 2, flags: 0, error: -2, length: 20 + json.requestLen });
  expect(json.capAck.portId).toBeGreaterThan(0);
}

describe("NETLINK_NETFILTER socket", () => {
  it("opens with CAP_ACK and gets capped error replies (root, fresh netns)", () => {
    const r = runInNamespace(build.fixture("netlink"), [], "root");
    expect(r.status, r.stderr).toBe(0);
    expectNetlinkReplies(r.json);
  });

  it("works as uid 65534 inside a user namespace", () => {
    const r = runAsNobody(wrapInNamespace([process.execPath, build.fixture("netlink")], "userns"));
    expect(r.status, r.stderr).toBe(0);
    expectNetlinkReplies(r.json);
  });
});

describe("packet socket capture on veth0", () => {
  function check(json: any): void {
    expect(json.offloadDefault).toBe(true); // veth: tx checksumming on by default
    for (const fam of ["ipv4", "ipv6"]) {
      const on = json.results[`${fam}-offload-on`];
      const off = json.results[`${fam}-offload-off`];
      expect(on.offloadNow).toBe(true);
      expect(off.offloadNow).toBe(false);
      // Outgoing on veth0, incoming (PACKET_HOST) on veth1.
      expect(on.veth0.pktType).toBe(4);
      expect(on.veth1.pktType).toBe(0);
      // Offload on: the field holds the folded pseudo-header sum (CHECKSUM_PARTIAL).
      expect(on.veth0).toMatchObject({ isPartial: true, fullyValid: false });
      expect(on.veth0.check).toBe(on.veth0.partialExpected);
      // Offload off: the stack computed the full checksum.
      expect(off.veth0).toMatchObject({ pktType: 4, isPartial: false, fullyValid: true });
    }
  }

  it("sees a dgram-sent UDP datagram leave CHECKSUM_PARTIAL with offload on (root)", () => {
    const r = runInNamespace(build.fixture("udp-capture"), [], "root");
    expect(r.status, r.stderr).toBe(0);
    check(r.json);
  });

  it("the same as uid 65534 in a user namespace", () => {
    const r = runAsNobody(wrapInNamespace([process.execPath, build.fixture("udp-capture")], "userns"));
    expect(r.status, r.stderr).toBe(0);
    check(r.json);
  });
});

describe("sysctl and configuration helpers", () => {
  it("write sysctls and add/remove addresses, routes, neighbours inside the namespace", () => {
    const r = runInNamespace(build.fixture("config"));
    expect(r.status, r.stderr).toBe(0);
    const j = r.json;
    expect(j.evidence).toMatch(/is in net:\[\d+\], we are in net:/);
    expect([j.forwardBefore, j.forwardAfter]).toEqual(["0", "1"]);
    expect(j.links.veth1).toMatchObject({ name: "veth1", mac: "02:00:00:00:00:02" });
    expect(j.withAll.addr).toMatch(/192\.0\.2\.1\/24/);
    expect(j.withAll.addr).toMatch(/2001:db8::1\/64/);
    expect(j.withAll.route4).toMatch(/via 192\.0\.2\.2/);
    expect(j.withAll.route6).toMatch(/dev veth0/);
    expect(j.withAll.neigh).toMatch(/192\.0\.2\.2 lladdr 02:00:00:00:00:02 PERMANENT/);
    expect(j.afterRemoval.addr).not.toMatch(/192\.0\.2\.1|2001:db8::1/);
    expect([j.afterRemoval.route4, j.afterRemoval.route6, j.afterRemoval.neigh]).toEqual(["", "", ""]);
  });
});

describe("raw sockets", () => {
  it("send whole IPv4/IPv6 packets (IPPROTO_RAW) and receive them on raw UDP sockets", () => {
    const r = runInNamespace(build.fixture("raw"));
    expect(r.status, r.stderr).toBe(0);
    expect(r.json.v4.from).toBe("127.0.0.1");
    expect(r.json.v4.udp).toBe(r.json.v4.expectUdp);
    expect(r.json.v6.from).toBe("::1");
    expect(r.json.v6.udp).toBe(r.json.v6.expectUdp);
    expect(r.json.afterwards).toBeNull();
  });
});

describe("send-and-capture round trip", () => {
  it("loses nothing over 200 iterations (timing printed)", () => {
    const r = runInNamespace(build.fixture("roundtrip-bench"), ["200"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json.viaDgram.lost).toBe(0);
    expect(r.json.viaRaw.lost).toBe(0);
    console.log(`round trip: dgram ${r.json.viaDgram.meanUs.toFixed(1)} us, raw ${r.json.viaRaw.meanUs.toFixed(1)} us`);
  });
});
