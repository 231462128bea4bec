// checksum.fill on the running kernel for CHECKSUM_NONE packets between
// multicast, broadcast, 0.0.0.0/8 and unspecified addresses (the raw-socket
// path, bound to veth0, sends them unchanged) and CHECKSUM_PARTIAL UDP to
// such destinations (the UDP socket path, bound to veth0): judged, not
// declined. Loopback, link-local IPv6, 0.0.0.0 itself and the sources a UDP
// socket replaces, which no egress path sends unchanged, are judged on the
// receive path (receive-path.ts). The fixture runs in a namespace of its own.
// A few seconds.
import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { wrapInNamespace } from "../../sys/namespace.js";

const ROOT = resolve(__dirname, "../..");

describe("--iut linux, checksum area: addresses the raw and UDP socket paths send", () => {
  it("fills CHECKSUM_NONE and PARTIAL packets to and from multicast, broadcast, 0.0.0.0/8, :: and loopback as the model", async () => {
    const argv = wrapInNamespace([process.execPath, join(ROOT, "test/fixtures/linux-checksum-raw-addresses.mjs")]);
    const { stdout } = await promisify(execFile)(argv[0]!, argv.slice(1), { encoding: "utf8", cwd: ROOT });
    const f: Record<string, string> = JSON.parse(stdout);
    expect(Object.keys(f)).toHaveLength(21);
    for (const [name, verdict] of Object.entries(f)) expect(verdict, name).toBe("as the model");
  }, 60_000);
});
