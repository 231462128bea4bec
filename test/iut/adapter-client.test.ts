import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AdapterClient } from "../../iut/adapter-client.js";
import { AdapterReplyError, IutError } from "../../iut/iut.js";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

const FAKE = "node test/fixtures/fake-adapter.mjs";
const PACKET = "4500001f000000000111b8ceffffffff8080808000000000000b011d000001";
const clients: AdapterClient[] = [];
/** A client whose hello may take startTimeoutMs: under CI's load a fake adapter's start took over 1.5 s. */
function client(command: string, timeoutMs = 5000, startTimeoutMs = timeoutMs): AdapterClient {
  const c = new AdapterClient(command, { timeoutMs, startTimeoutMs });
  clients.push(c);
  return c;
}
/** Processes whose command line holds this token (a unique sleep length, an adapter's marker argument). */
function processesWith(token: string): string[] {
  const ps = spawnSync("ps", ["-eo", "pid,stat,args"], { encoding: "utf8" }).stdout;
  return ps.split("\n").filter((l) => l.includes(token) && !/^\s*\d+\s+Z/.test(l));
}
const token = () => `${1000 + Math.floor(Math.random() * 1000)}.${Math.floor(Math.random() * 1e6)}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe("adapter runner", () => {
  it("speaks to the bundled model adapter through a real child process", async () => {
    const c = client("./bin/nfconform adapter model");
    const hello = await c.hello();
    expect(hello.areas).toContain("checksum");
    expect(await c.call("reset", {})).toEqual({});
    const reply = await c.call("checksum.fill", { packet: PACKET, state: "partial", gso: false });
    expect(reply.packet).toMatch(/^[0-9a-f]+$/);
    expect(
      await c.call("checksum.checkentry", {
        family: "ipv4",
        table: "filter",
        hook: "input",
        operation: 1,
        proto: null,
        invertProto: false,
      }),
    ).toEqual({ errno: 22 });
  });

  it("passes adapter errors through as AdapterReplyError, apart from harness faults", async () => {
    const c = client("./bin/nfconform adapter model");
    await expect(c.call("nosuch.op", {})).rejects.toMatchObject({ code: "unsupported" });
    await expect(c.call("checksum.fill", { packet: "zz", state: "partial", gso: false })).rejects.toBeInstanceOf(
      AdapterReplyError,
    );
  });

  it("reports a line that is not JSON as an IUT error carrying the line", async () => {
    const c = client(`${FAKE} garbage`);
    await c.hello();
    const error = await c.call("checksum.fill", { packet: PACKET, state: "none", gso: false }).catch((e) => e);
    expect(error).toBeInstanceOf(IutError);
    expect(error.message).toMatch(/not JSON/);
    expect(error.evidence).toBe("this is not json");
  });

  it("treats stray stdout output as a protocol fault", async () => {
    const c = client(`${FAKE} log-to-stdout`);
    await c.hello();
    const error = await c.call("checksum.fill", { packet: PACKET, state: "none", gso: false }).catch((e) => e);
    expect(error).toBeInstanceOf(IutError);
    expect(error.evidence).toBe("debug: handling request");
  });

  it("reports a mismatched id", async () => {
    const c = client(`${FAKE} wrong-id`);
    await c.hello();
    const error = await c.call("checksum.fill", { packet: PACKET, state: "none", gso: false }).catch((e) => e);
    expect(error).toBeInstanceOf(IutError);
    expect(error.message).toMatch(/has id \d+, expected \d+/);
  });

  it("times a request out and restarts the adapter for the next one", async () => {
    const c = client(`${FAKE} hang`, 1500, 30_000);
    await c.hello();
    const error = await c.call("checksum.fill", { packet: PACKET, state: "none", gso: false }).catch((e) => e);
    expect(error).toBeInstanceOf(IutError);
    expect(error.message).toMatch(/timed out on checksum\.fill after 1500 ms/);
    expect(await c.call("reset", {})).toEqual({});
  });

  it("reports a crash with its exit status and stderr, then restarts", async () => {
    const marker = join(tempDir("nfconform-crash-"), "marker");
    const c = client(`${FAKE} crash-once ${marker}`);
    await c.hello();
    const error = await c.call("checksum.fill", { packet: PACKET, state: "none", gso: false }).catch((e) => e);
    expect(error).toBeInstanceOf(IutError);
    expect(error.message).toMatch(/exited with status 4 during checksum\.fill/);
    const reply = await c.call("checksum.fill", { packet: PACKET, state: "none", gso: false });
    expect(reply.packet).toBe(PACKET);
  });

  it("gives up restarting an adapter that keeps crashing", async () => {
    const c = new AdapterClient(`${FAKE} crash`, { timeoutMs: 5000, maxRestarts: 2 });
    clients.push(c);
    await c.hello();
    for (let i = 0; i < 3; i++)
      await expect(c.call("checksum.fill", { packet: PACKET, state: "none", gso: false })).rejects.toBeInstanceOf(
        IutError,
      );
    const error = await c.call("reset", {}).catch((e) => e);
    expect(error.message).toMatch(/not restarted again after 2 restarts/);
    // Not caused by the request in hand: the harness keeps no case for it.
    expect(error.beforeTheRequest).toBe(true);
  });

  it("rejects a hello without the required fields", async () => {
    const c = client(`${FAKE} bad-hello`);
    await expect(c.hello()).rejects.toThrow(/"areas" must be a list of areas/);
  });

  it("reports a command that cannot start", async () => {
    const c = client("/nonexistent/adapter-binary");
    await expect(c.hello()).rejects.toBeInstanceOf(IutError);
  });
});

describe("adapter runner against faulty adapters: bounded in time, nothing left behind", () => {
  it("kills an adapter that never answers hello, with the grandchild that holds its pipes", async () => {
    const t = token();
    const c = client(`sleep ${t}`, 300);
    const started = Date.now();
    await expect(c.hello()).rejects.toThrow(/timed out on hello after 300 ms/);
    expect(Date.now() - started).toBeLessThan(3000);
    await c.close();
    await sleep(100);
    expect(processesWith(t)).toEqual([]);
  });

  it("kills a hung adapter and a background process it started, on a timeout", async () => {
    const t = token();
    const c = client(`sleep ${t} & ${FAKE} hang`, 1500, 30_000);
    await c.hello();
    await expect(c.call("checksum.fill", { packet: PACKET, state: "none", gso: false })).rejects.toThrow(
      /timed out on checksum\.fill after 1500 ms/,
    );
    await sleep(100);
    expect(processesWith(t)).toEqual([]);
  });

  it("times out an adapter that closed its stdout and stays alive, and kills it", async () => {
    const t = token();
    const c = client(`${FAKE} close-stdout ${t}`, 300);
    await expect(c.hello()).rejects.toBeInstanceOf(IutError);
    await c.close();
    await sleep(100);
    expect(processesWith(t)).toEqual([]);
  });

  it("answers a request in flight when closed, without waiting for its timer", async () => {
    // A run closes adapters that are still starting: their hello's timer (60 s for the kernel's) kept the run alive.
    const c = client(`${FAKE} hang-hello`, 60_000);
    const hello = c.hello().catch((e) => e);
    await sleep(200);
    const started = Date.now();
    await c.close();
    const error = await hello;
    expect(error).toBeInstanceOf(IutError);
    expect(error.message).toMatch(/closed during hello/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("reports a reply line past the cap as an IUT error, without running out of memory", async () => {
    const t = token();
    const c = client(`${FAKE} flood ${t}`, 20_000);
    await c.hello();
    const error = await c.call("checksum.fill", { packet: PACKET, state: "none", gso: false }).catch((e) => e);
    expect(error).toBeInstanceOf(IutError);
    expect(error.message).toMatch(/line longer than 16777216 bytes .* in reply to checksum\.fill/);
    await sleep(100);
    expect(processesWith(t)).toEqual([]);
  }, 30_000);

  it("refuses an adapter that speaks another protocol version", async () => {
    const c = client(`${FAKE} wrong-protocol`);
    await expect(c.hello()).rejects.toThrow(/speaks protocol 2, this suite speaks 1/);
  });

  it("ends the whole group on close, even a child that ignores stdin closing", async () => {
    const t = token();
    const c = client(`sleep ${t} & ./bin/nfconform adapter model`);
    await c.hello();
    await c.close();
    await sleep(100);
    expect(processesWith(t)).toEqual([]);
  });
});
