import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readlinkSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  assertPrivateNetns,
  privateNetnsEvidence,
  probeNamespaceSupport,
  wrapInNamespace,
} from "../../sys/namespace.js";
import { buildForChildren, runArgv, runAsNobody } from "./child.js";

let build: ReturnType<typeof buildForChildren>;
beforeAll(() => {
  build = buildForChildren();
});
afterAll(() => build.cleanup());

describe("probeNamespaceSupport", () => {
  it("as root: plain network namespaces", () => {
    expect(probeNamespaceSupport()).toEqual({ ok: true, mode: "root" });
  });

  it("as uid 65534: a user namespace mapped to root", () => {
    const r = runAsNobody([process.execPath, build.fixture("probe")]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json).toEqual({ uid: 65534, probe: { ok: true, mode: "userns" } });
  });

  // Fault injection without touching the host: inside a throwaway user
  // namespace, cap the nested-userns quota and drop capabilities.
  it("uid 0 without capabilities and no user namespaces: names CAP_SYS_ADMIN", () => {
    const r = runArgv([
      "unshare",
      "--user",
      "--map-root-user",
      "--",
      "sh",
      "-c",
      `echo 0 > /proc/sys/user/max_user_namespaces && exec setpriv --bounding-set=-all --inh-caps=-all -- "${process.execPath}" "${build.fixture("probe")}"`,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json.probe.ok).toBe(false);
    expect(r.json.probe.reason).toMatch(/CAP_SYS_ADMIN/);
    expect(r.json.probe.reason).toMatch(/Operation not permitted/);
    expect(r.json.probe.remedy).toMatch(/cap-add SYS_ADMIN/);
  });

  it("non-root with the user-namespace quota used up: says so", () => {
    const r = runArgv([
      "unshare",
      "--user",
      "--map-root-user",
      "--",
      "sh",
      "-c",
      `echo 1 > /proc/sys/user/max_user_namespaces && exec unshare --user -- "${process.execPath}" "${build.fixture("probe")}"`,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.json.uid).toBe(65534);
    expect(r.json.probe.ok).toBe(false);
    expect(r.json.probe.reason).toMatch(/No space left on device/);
    expect(r.json.probe.reason).toMatch(/max_user_namespaces/);
  });
});

describe("host guard", () => {
  it("recognises the host namespace and refuses configuration there", () => {
    expect(privateNetnsEvidence()).toBeNull();
    expect(() => assertPrivateNetns("test")).toThrow(/host network namespace/);
  });
});

describe("wrapInNamespace", () => {
  it("builds unshare command lines that die with their parent", () => {
    const root = wrapInNamespace(["x", "y"], "root");
    expect(root).toContain("--net");
    expect(root).toContain("--kill-child=SIGKILL");
    expect(root).not.toContain("--user");
    expect(root.slice(-3)).toEqual(["--", "x", "y"]);
    const user = wrapInNamespace(["x"], "userns");
    expect(user).toEqual(expect.arrayContaining(["--user", "--map-root-user", "--net"]));
  });

  it("runs argv in a namespace of its own", () => {
    const host = readlinkSync("/proc/self/ns/net");
    const r = runArgv(wrapInNamespace(["readlink", "/proc/self/ns/net"]));
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^net:\[\d+\]$/);
    expect(r.stdout.trim()).not.toBe(host);
  });
});

// Host interface names (read only).
function hostLinks(): string[] {
  const r = spawnSync("ip", ["-o", "link"], { encoding: "utf8" });
  return r.stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split(":")[1]?.trim() ?? "")
    .sort();
}

function processesIn(netns: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readlinkSync(`/proc/${p}/ns/net`) === netns) pids.push(Number(p));
    } catch {
      // exited or not ours to look at
    }
  }
  return pids;
}

async function startHolding(argv: string[]) {
  const child = spawn(argv[0] ?? "", argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const ready = await new Promise<any>((res, rej) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const line = out.split("\n")[0];
      if (out.includes("\n") && line) res(JSON.parse(line));
    });
    child.on("exit", (c) => rej(new Error(`holder exited ${c}: ${err}`)));
  });
  return { child, ready };
}

async function gone(netns: string, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (processesIn(netns).length === 0) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe("nothing survives SIGKILL", () => {
  it("killing the wrapped process removes the namespace and its veths", async () => {
    const before = hostLinks();
    const { child, ready } = await startHolding(wrapInNamespace([process.execPath, build.fixture("veth-hold")]));
    expect(ready.veth0.mac).toBe("02:00:00:00:00:01");
    expect(processesIn(ready.netns).length).toBeGreaterThan(0);
    expect(hostLinks()).toEqual(before); // the veths never appear on the host
    child.kill("SIGKILL");
    expect(await gone(ready.netns)).toBe(true);
    expect(hostLinks()).toEqual(before);
    expect(hostLinks()).not.toContain("veth0");
  });

  it("killing the process that spawned the wrapper takes the namespace with it", async () => {
    const before = hostLinks();
    const { child, ready } = await startHolding([process.execPath, build.fixture("spawn-holder")]);
    expect(processesIn(ready.netns).length).toBeGreaterThan(0);
    child.kill("SIGKILL");
    expect(await gone(ready.netns)).toBe(true);
    expect(hostLinks()).toEqual(before);
  });

  it("the same for a user-namespace child run as uid 65534", async () => {
    const before = hostLinks();
    const argv = [
      "setpriv",
      "--reuid=65534",
      "--regid=65534",
      "--clear-groups",
      "--",
      ...wrapInNamespace([process.execPath, build.fixture("veth-hold")], "userns"),
    ];
    const { child, ready } = await startHolding(argv);
    child.kill("SIGKILL");
    expect(await gone(ready.netns)).toBe(true);
    expect(hostLinks()).toEqual(before);
  });
});
