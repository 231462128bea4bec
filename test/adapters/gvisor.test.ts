// adapters/gvisor: keeps the adapter protocol; leaves the host's network as it
// found it (runsc run only inside namespaces the adapter makes: `runsc do` in
// the root namespace would add NAT chains and turn on forwarding); reassembles
// on netstack's clock, not the machine's (frag6); and still shows the findings
// its README lists (each saved case replays as a violation).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Iut } from "../../iut/iut.js";
import { SEED_DATAGRAM } from "../../properties/frag6/seed-cases.js";
import { toHex } from "../../wire/hex.js";
import { buildDatagram, originalPacket } from "../../wire/ipv6-datagram.js";
import { buildFragmentPacket } from "../../wire/ipv6-fragment.js";
import { adapterIut, findingCases, nfconform } from "./adapter-runs.js";
import { openShipped, replayFindings, shipped } from "./shipped.js";

function tool(command: string, ...args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    return `${command} failed: ${(error as Error).message.split("\n")[0]}`;
  }
}

/** What the adapter must not change on the host (read only). */
function hostNetwork(): Record<string, string> {
  return {
    "nft list ruleset": tool("nft", "list", "ruleset"),
    "iptables-save": tool("iptables-save").replace(/^#.*\n/gm, ""),
    "ip6tables-save": tool("ip6tables-save").replace(/^#.*\n/gm, ""),
    "net.ipv4.ip_forward": readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8"),
    "net.ipv6.conf.all.forwarding": readFileSync("/proc/sys/net/ipv6/conf/all/forwarding", "utf8"),
    links: tool("ip", "-o", "link", "show"),
  };
}

function notRunnable(): string | undefined {
  if (!shipped("gvisor").built) return "adapters/gvisor is not built (scripts/setup-adapters gvisor)";
  if (process.getuid?.() !== 0) return "adapters/gvisor needs root";
  try {
    execFileSync("runsc", ["--version"], { stdio: "ignore" });
  } catch {
    return "runsc is not installed (scripts/setup-adapters gvisor)";
  }
  return undefined;
}

const skip = notRunnable();
const IUT = adapterIut("gvisor");

describe.skipIf(skip !== undefined)(`adapters/gvisor${skip ? ` (skipped: ${skip})` : ""}`, () => {
  it("keeps the contract on every op, and the host's ruleset and forwarding sysctls stay as they were", async () => {
    const before = hostNetwork();
    const r = await nfconform("adapter-check", "--iut", IUT, "--json");
    const report = JSON.parse(r.stdout);
    expect(report.kept).toBe(true);
    expect(r.code).toBe(0);
    // The agent runs inside the sandbox: gVisor reports its own kernel release.
    expect(report.hello.version).toContain("sandbox kernel 4.4.0");
    expect(hostNetwork()).toEqual(before);
  });

  it("a short run judges bpf cases with no harness error, and fails as README G1 says", async () => {
    const r = await nfconform(
      ...[
        "run",
        "--iut",
        IUT,
        "--seed",
        "1543570559",
        "--runs",
        "5",
        "--corpus",
        "none",
        "--out",
        "/tmp/nfc-gvisor-test",
      ],
      ...["--property", "bpf.accepted-program-returns"],
    );
    expect(r.stdout + r.stderr).toContain("0 passed, 1 failed, 0 skipped, 0 iut-error");
    expect(r.code).toBe(1);
  });

  const cases = findingCases("gvisor");
  it("has saved cases for its findings", () => expect(cases.length).toBeGreaterThanOrEqual(14));
});

/** The seed cases' UDP datagram 2001:db8::1 -> 2001:db8::2 with 24 bytes of payload (fill 1), cut at 16: two fragments (id 7). */
const datagram = buildDatagram({ ...SEED_DATAGRAM, fill: 1 });
const piece = (offset: number, end: number, more: boolean) =>
  toHex(
    buildFragmentPacket({
      ...datagram,
      offset,
      more,
      identification: 7,
      data: datagram.fragmentable.slice(offset, end),
    }),
  );

describe.skipIf(skip !== undefined)(`adapters/gvisor frag6 on netstack${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let iut: Iut;
  beforeAll(() => {
    iut = openShipped("gvisor");
  });
  afterAll(() => iut?.close());

  it("claims frag6 with the linux-ipv6 profile beside bpf", async () => {
    expect(await iut.hello()).toMatchObject({
      areas: ["bpf", "frag6"],
      profiles: { bpf: "linux", frag6: "linux-ipv6" },
    });
  });

  it("delivers the datagram netstack rebuilt, and a lone first fragment expires at exactly 60 s of virtual time", async () => {
    const whole = await iut.call("frag6.run", {
      events: [
        { t: 0, packet: piece(0, 16, true) },
        { t: 5, packet: piece(16, 32, false) },
      ],
    });
    expect(whole).toEqual({ delivered: [{ t: 5, packet: toHex(originalPacket(datagram)) }], icmp: [] });
    // No real minute passes: the manual clock runs on after the last event.
    const lone = await iut.call("frag6.run", { events: [{ t: 3, packet: piece(0, 16, true) }] });
    expect(lone).toEqual({ delivered: [], icmp: [{ t: 60003, type: 3, code: 1, pointer: 0 }] });
  });

  it("declines a timeout netstack cannot be given, naming the constant", async () => {
    const config = { timeoutMs: 1000, highThresh: 4194304, lowThresh: 3145728 };
    await expect(iut.call("frag6.run", { events: [], config })).rejects.toMatchObject({
      code: "invalid",
      detail: expect.stringContaining("ipv6.ReassembleTimeout"),
    });
  });

  it("reproduces every finding its README lists (one adapter for all)", async () => {
    const runs = await replayFindings("gvisor", iut);
    expect(runs.length).toBeGreaterThanOrEqual(14);
    for (const { file, run } of runs) expect(run.kind, file).toBe("violates");
  });
});
