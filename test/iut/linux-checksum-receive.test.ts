// checksum.fill's receive path on the running kernel (receive-path.ts): every
// checksum state, GSO wherever virtio_net_hdr_to_skb() takes it, IPv4 and
// IPv6, TCP and UDP, judged against the model; UDP GSO outside
// CHECKSUM_PARTIAL and IPv6 multicast sources declined with the kernel's
// reason; addresses the egress paths decline (broadcast source, loopback
// destination, v4-mapped, link-local) judged. The fixture runs in a namespace
// of its own. About a second.
import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { wrapInNamespace } from "../../sys/namespace.js";

const ROOT = resolve(__dirname, "../..");

describe("--iut linux, checksum area: the receive path", () => {
  it("judges every state and GSO combination the kernel makes, as the model", async () => {
    const argv = wrapInNamespace([process.execPath, join(ROOT, "test/fixtures/linux-checksum-receive.mjs")]);
    const { stdout } = await promisify(execFile)(argv[0]!, argv.slice(1), { encoding: "utf8", cwd: ROOT });
    const f: Record<string, string> = JSON.parse(stdout);
    const states = ["partial", "none", "unnecessary", "complete"];
    for (const version of [4, 6])
      for (const state of states) {
        for (const name of [`udp ${state}`, `tcp ${state}`, `tcp ${state} gso`])
          expect(f[`ipv${version} ${name}`], `ipv${version} ${name}`).toBe("as the model");
        const udpGso = f[`ipv${version} udp ${state} gso`];
        if (state === "partial") expect(udpGso).toBe("as the model");
        else expect(udpGso).toMatch(/^declined: virtio_net_hdr_to_skb\(\) takes UDP GSO only with .*NEEDS_CSUM/);
      }
    for (const name of ["ipv4 from broadcast", "ipv4 to loopback", "ipv6 from v4-mapped", "ipv6 to link-local"])
      expect(f[name], name).toBe("as the model");
    expect(f["ipv6 from multicast"]).toMatch(/^declined: ip6_rcv_core\(\) drops .* multicast source/);
    // The tap that marks packets CHECKSUM_UNNECESSARY does: a wrong UDP checksum is delivered from it alone.
    expect(f["bad checksum delivered, unnecessary tap"]).toBe(true);
    expect(f["bad checksum delivered, plain tap"]).toBe(false);
  }, 60_000);
});
