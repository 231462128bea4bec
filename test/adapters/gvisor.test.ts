// adapters/gvisor: keeps the adapter protocol; leaves the host's network as it
// found it (runsc run only inside namespaces the adapter makes: `runsc do` in
// the root namespace would add NAT chains and turn on forwarding); and still
// shows the findings its README lists (each saved case replays as a violation).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { adapterIut, findingCases, nfconform } from "./adapter-runs.js";

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
  it("has saved cases for its findings", () => expect(cases.length).toBeGreaterThanOrEqual(5));
  it.concurrent.each(cases.map((c) => [basename(c), c]))("finding %s still replays as a violation", async (_, file) => {
    const r = await nfconform("replay", file, "--iut", IUT);
    expect(r.stdout).toContain("VIOLATION");
    expect(r.code).toBe(1);
  });
});
