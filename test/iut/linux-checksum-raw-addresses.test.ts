// checksum.fill on the running kernel for CHECKSUM_NONE packets between
// multicast, broadcast, 0.0.0.0/8 and unspecified addresses (the raw-socket
// path, bound to veth0, sends them unchanged) and CHECKSUM_PARTIAL UDP to
// such destinations (the UDP socket path, bound to veth0): judged, not
// declined; loopback, link-local IPv6, 0.0.0.0 itself and the sources a UDP
// socket replaces still are. The fixture runs in a
// namespace of its own. A few seconds.
import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { wrapInNamespace } from "../../sys/namespace.js";

const ROOT = resolve(__dirname, "../..");

describe("--iut linux, checksum area: addresses the raw and UDP socket paths send", () => {
  it("fills CHECKSUM_NONE packets to and from multicast, broadcast, 0.0.0.0/8 and :: as the model", async () => {
    const argv = wrapInNamespace([process.execPath, join(ROOT, "test/fixtures/linux-checksum-raw-addresses.mjs")]);
    const { stdout } = await promisify(execFile)(argv[0]!, argv.slice(1), { encoding: "utf8", cwd: ROOT });
    const f: Record<string, string> = JSON.parse(stdout);
    const judged = Object.keys(f).filter(
      (name) => !/loopback|link-local|0\.0\.0\.0$|udp from multicast|udp6 from ::/.test(name),
    );
    expect(judged).toHaveLength(15);
    for (const name of judged) expect(f[name], name).toBe("as the model");
    expect(f["ipv4 to loopback"]).toMatch(/^declined: .*127\.0\.0\.0\/8/);
    expect(f["ipv6 to link-local"]).toMatch(/^declined: .*link-local/);
    // 0.0.0.0 itself: sent to loopback as a destination, filled in as a source.
    expect(f["ipv4 to 0.0.0.0"]).toMatch(/^declined: .*destination is 0\.0\.0\.0/);
    expect(f["ipv4 from 0.0.0.0"]).toMatch(/^declined: .*source is 0\.0\.0\.0/);
    // A UDP socket replaces a multicast or unspecified source with an address of its own.
    expect(f["udp from multicast"]).toMatch(/^declined: .*source is multicast/);
    expect(f["udp6 from ::"]).toMatch(/^declined: .*source is the unspecified address/);
  }, 60_000);
});
