// The lwip adapter (adapters/lwip): keeps the protocol, reassembles a plain
// two-fragment datagram on lwIP's own timers, answers an lwIP abort as
// `crashed` with lwIP's assertion (and lives on), and every finding its README lists still reproduces.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAdapter } from "../../harness/adapter-check.js";
import type { Iut } from "../../iut/iut.js";
import { openShipped, replayFindings, shipped } from "./shipped.js";

const { built, because } = shipped("lwip");
const FINDINGS = resolve(__dirname, "../../adapters/lwip/findings");

/** 2001:db8::1 -> 2001:db8::2, Fragment header (id 7) then 8 bytes of No Next Header payload per fragment. */
const fragment = (offset: number, more: boolean) =>
  `6000000000102c40${"20010db8000000000000000000000001"}${"20010db8000000000000000000000002"}` +
  `3b00${(offset | (more ? 1 : 0)).toString(16).padStart(4, "0")}00000007` +
  "0102030405060708";

describe.skipIf(!built)(`lwip adapter${because}`, () => {
  let iut: Iut;
  beforeAll(() => {
    iut = openShipped("lwip");
  });
  afterAll(() => iut?.close());

  it("keeps the adapter protocol on every op (adapter-check)", async () => {
    const report = await checkAdapter(iut);
    expect(report.checks.filter((c) => !c.kept)).toEqual([]);
    expect(report.hello).toMatchObject({ name: "lwip", areas: ["frag6"], profiles: { frag6: "rfc8200" } });
  });

  it("delivers a two-fragment datagram once, and a lone first fragment expires with Time Exceeded on lwIP's timer", async () => {
    const whole = await iut.call("frag6.run", {
      events: [
        { t: 0, packet: fragment(0, true) },
        { t: 5, packet: fragment(8, false) },
      ],
    });
    expect(whole.delivered).toHaveLength(1);
    expect((whole.delivered as { t: number }[])[0]!.t).toBe(5);
    const lone = await iut.call("frag6.run", { events: [{ t: 0, packet: fragment(0, true) }] });
    expect(lone).toEqual({ delivered: [], icmp: [{ t: 61000, type: 3, code: 1, pointer: 0 }] });
  });

  it("answers crashed, quoting lwIP's assertion, when lwIP aborts on the largest datagram, and answers the next request", async () => {
    const [, run] = readFileSync(join(FINDINGS, "largest-datagram-aborts.jsonl"), "utf8").trim().split("\n");
    const { events } = JSON.parse(run!);
    await expect(iut.call("frag6.run", { events })).rejects.toMatchObject({
      code: "crashed",
      detail: expect.stringMatching(/lwIP aborted \(signal 6\).*ip6_reass: moving p->payload to ip6 header failed/),
    });
    expect(await iut.call("reset", {})).toEqual({});
  });

  it("reproduces every finding its README lists", async () => {
    const runs = await replayFindings("lwip", iut);
    expect(runs.length).toBeGreaterThanOrEqual(6);
    for (const { file, run } of runs) expect(run.kind, file).toBe("violates");
  });
});
