// An area's lane lends at most its limit of the run's instances, always the
// same ones (each sets the area up once), spreads areas over different
// instances, and still gives every waiter an instance; the instances a run
// starts are those its areas can use.
import { describe, expect, it } from "vitest";
import { jobsWorthStarting, readSuiteSettings } from "../../cli/suite-options.js";
import type { Iut } from "../../iut/iut.js";
import { IutInstances } from "../../iut/iut-instances.js";
import { COMPUTING_AREA_INSTANCES } from "../../properties/property.js";

function fake(n: number): Iut {
  return { spec: `fake ${n}`, hello: async () => ({}) as never, call: async () => ({}), close: async () => {} };
}

function instancesOf(count: number): { all: Iut[]; instances: IutInstances } {
  const all = Array.from({ length: count }, (_, i) => fake(i));
  const instances = new IutInstances(all[0]!, count);
  for (const iut of all.slice(1)) instances.add(iut);
  return { all, instances };
}

/** Borrows `times` instances one after another, giving each back at once: which ones were lent. */
async function borrowInTurn(lender: ReturnType<IutInstances["lane"]>, times: number): Promise<Set<Iut>> {
  const seen = new Set<Iut>();
  for (let i = 0; i < times; i++) {
    const iut = (await lender.acquire())!;
    seen.add(iut);
    lender.release(iut);
  }
  return seen;
}

describe("instance lanes", () => {
  it("lend at most their limit, always the same instances, even when all are held at once", async () => {
    const { instances } = instancesOf(8);
    const hooks = instances.lane("hooks", 3);
    expect(hooks.wanted).toBe(3);
    const held = await Promise.all([hooks.acquire(), hooks.acquire(), hooks.acquire()]);
    expect(new Set(held).size).toBe(3);
    // A fourth asker waits for one of the three, though five other instances are free.
    let fourth: Iut | undefined;
    const asked = hooks.acquire().then((iut) => {
      fourth = iut;
    });
    await Promise.resolve();
    expect(fourth).toBeUndefined();
    hooks.release(held[1]!);
    await asked;
    expect(fourth).toBe(held[1]);
    for (const iut of [held[0]!, held[2]!, fourth!]) hooks.release(iut);
    for (const iut of await borrowInTurn(hooks, 20)) expect(held).toContain(iut);
    expect(new Set(await Promise.all([hooks.acquire(), hooks.acquire(), hooks.acquire()]))).toEqual(new Set(held));
    expect(hooks.ready).toHaveLength(3);
  });

  it("spread areas over instances no other lane uses yet", async () => {
    const { instances } = instancesOf(8);
    const hooks = await Promise.all([0, 1, 2, 3].map(() => instances.lane("hooks", 4).acquire()));
    const bpf = await Promise.all([0, 1, 2, 3].map(() => instances.lane("bpf", 4).acquire()));
    expect(new Set([...hooks, ...bpf]).size).toBe(8);
  });

  it("share the instances with lane-less askers, and answer undefined to one that gave up", async () => {
    const { all, instances } = instancesOf(2);
    const lane = instances.lane("hooks", 1);
    const mine = (await lane.acquire())!;
    const other = (await instances.acquire())!;
    expect(new Set([mine, other])).toEqual(new Set(all));
    let wanted = true;
    const gaveUp = lane.acquire(() => wanted);
    const waiting = instances.acquire();
    wanted = false;
    instances.release(other); // the lane's asker gave up, and `other` is not the lane's: the lane-less asker gets it
    expect(await gaveUp).toBeUndefined();
    expect(await waiting).toBe(other);
    lane.release(mine);
    expect(await lane.acquire()).toBe(mine);
  });

  it("start only the instances the run's areas can use", () => {
    const settings = (argv: Record<string, unknown>) => readSuiteSettings({ iut: "linux", ...argv });
    expect(jobsWorthStarting(settings({}))).toBe(24); // frag6 cases wait on timers: every instance
    expect(jobsWorthStarting(settings({ area: ["hooks"] }))).toBe(COMPUTING_AREA_INSTANCES);
    expect(jobsWorthStarting(settings({ area: ["hooks", "frag6"] }))).toBe(24);
    expect(jobsWorthStarting(settings({ property: ["frag6.matches-model"] }))).toBe(24);
    expect(jobsWorthStarting(settings({ property: ["hooks.limit-1024"] }))).toBe(COMPUTING_AREA_INSTANCES);
    expect(jobsWorthStarting(settings({ area: ["checksum"], jobs: "2" }))).toBe(2);
    // A shard counts only its own properties: the first of 38 is checksum's, the last frag6's.
    expect(jobsWorthStarting(settings({}), { index: 1, count: 38 })).toBe(COMPUTING_AREA_INSTANCES);
    expect(jobsWorthStarting(settings({}), { index: 38, count: 38 })).toBe(24);
  });
});
