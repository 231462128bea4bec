// checksum.fill on a machine without tun (a container without --device
// /dev/net/tun, or no tun module), stood for by taps opened from a clone
// device that does not exist: the egress paths (raw socket, UDP socket,
// forwarded) are still judged, the cases only the receive path presents are
// declined naming the failure, and a setup that fails part way closes what it
// opened (open fds would pin the namespace). The fixture runs in a namespace
// of its own. Under a second.
import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { wrapInNamespace } from "../../sys/namespace.js";

const ROOT = resolve(__dirname, "../..");
const UNAVAILABLE = "declined: the receive path is unavailable: cannot open /nonexistent/net/tun: ENOENT";

describe("--iut linux, checksum area: no /dev/net/tun", () => {
  it("judges the egress paths, declines the receive path's cases with the reason, and leaks nothing", async () => {
    const argv = wrapInNamespace([process.execPath, join(ROOT, "test/fixtures/linux-checksum-no-tun.mjs")]);
    const { stdout } = await promisify(execFile)(argv[0]!, argv.slice(1), { encoding: "utf8", cwd: ROOT });
    const f: Record<string, unknown> = JSON.parse(stdout);
    // ReceivePath alone: the second tap fails; the first, already made, is closed.
    expect(f["receive path"]).toBe("threw: cannot open /nonexistent/net/tun: ENOENT");
    expect(f["taps made, closed"]).toEqual([1, 1]);
    expect(f["fds left by the failed receive path"]).toBe(0);
    for (const name of ["udp none (raw socket)", "udp partial (udp socket)", "tcp partial gso (forwarded)"])
      expect(f[name], name).toBe("as the model");
    for (const name of ["udp complete (received)", "tcp unnecessary (received)", "udp partial to loopback (received)"])
      expect(f[name], name).toBe(UNAVAILABLE);
    expect(f["fds left by the area's fill after close"]).toBe(0);
  }, 30_000);
});
