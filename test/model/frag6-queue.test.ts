// The Linux reassembly bookkeeping (model/frag6/linux-queue.ts, memory.ts):
// inet_frag_find() under high_thresh, inet_frag_kill() releasing the memory,
// timers never re-armed; and the outcome helpers (outcome.ts, run.ts, profiles.ts).
import { describe, expect, it } from "vitest";
import { Fqdir } from "../../model/frag6/linux-queue.js";
import { FRAG_QUEUE_SIZE, fragmentTruesize } from "../../model/frag6/memory.js";
import { icmpKey, sortIcmp } from "../../model/frag6/outcome.js";
import { FRAG6_DEFAULT_CONFIG, isFrag6Profile } from "../../model/frag6/profiles.js";
import { canonicalOutcome, frag6Run, mergeDeliveries } from "../../model/frag6/run.js";
import { emptyRuns, queueInsert } from "../../model/frag6/runs.js";
import { toHex } from "../../wire/hex.js";
import { at, frag, ORIGINAL } from "./frag6-helpers.js";

describe("Fqdir", () => {
  it("creates a queue per key, charged FRAG_QUEUE_SIZE, its timer at t + timeout", () => {
    const dir = new Fqdir("ip6frag", FRAG6_DEFAULT_CONFIG);
    const q = dir.find("a", 5)!;
    expect([q.expires, q.seq, q.len, q.meat, q.firstIn, q.lastIn, q.complete]).toEqual([
      60005,
      0,
      0,
      0,
      false,
      false,
      false,
    ]);
    expect(dir.find("a", 9)).toBe(q);
    expect(dir.find("b", 9)!.seq).toBe(1);
    expect(dir.mem).toBe(2 * FRAG_QUEUE_SIZE);
  });

  it("finds nothing while memory is above high_thresh (equal is fine), or when high_thresh is 0", () => {
    const dir = new Fqdir("ip6frag", { ...FRAG6_DEFAULT_CONFIG, highThresh: FRAG_QUEUE_SIZE });
    const q = dir.find("a", 0)!;
    expect(dir.find("a", 0)).toBe(q);
    q.fragments.push({ offset: 0, end: 8, data: new Uint8Array(8), truesize: 1 });
    dir.mem += 1;
    expect(dir.find("a", 0)).toBeNull();
    expect(new Fqdir("x", { ...FRAG6_DEFAULT_CONFIG, highThresh: 0 }).find("a", 0)).toBeNull();
  });

  it("kill releases the queue and its fragments' memory, once", () => {
    const dir = new Fqdir("ip6frag", FRAG6_DEFAULT_CONFIG);
    const q = dir.find("a", 0)!;
    q.fragments.push(
      { offset: 0, end: 8, data: new Uint8Array(8), truesize: 768 },
      { offset: 8, end: 16, data: new Uint8Array(8), truesize: 1280 },
    );
    dir.mem += 768 + 1280;
    dir.kill(q);
    expect([dir.mem, dir.queues.size, q.complete]).toEqual([0, 0, true]);
    dir.kill(q);
    expect(dir.mem).toBe(0);
  });

  it("nextExpiry: the earliest timer due by t, creation order breaking ties", () => {
    const dir = new Fqdir("ip6frag", FRAG6_DEFAULT_CONFIG);
    const a = dir.find("a", 10)!;
    const b = dir.find("b", 5)!;
    const c = dir.find("c", 5)!;
    expect(dir.nextExpiry(60004)).toBeNull();
    expect(dir.nextExpiry(60005)).toBe(b);
    dir.kill(b);
    expect(dir.nextExpiry(60005)).toBe(c);
    dir.kill(c);
    expect(dir.nextExpiry(60009)).toBeNull();
    expect(dir.nextExpiry(Infinity)).toBe(a);
    // Whatever the creation order, the earliest timer comes first.
    const late = new Fqdir("ip6frag", FRAG6_DEFAULT_CONFIG);
    late.find("x", 10);
    const early = late.find("y", 5)!;
    expect(late.nextExpiry(Infinity)).toBe(early);
  });
});

describe("memory", () => {
  // Measured on 6.18 through the kernel IUT's link (iut/linux/frag6/memory.ts probes the same points on the running kernel).
  it("truesize: a kmalloc'ed head under a page (small-head slab, then powers of two), page frags above, plus 256", () => {
    const lengths = [56, 224, 232, 672, 680, 1696, 1704, 3744, 3752, 4064, 4072, 4096, 4104, 8200, 61448];
    expect(lengths.map(fragmentTruesize)).toEqual([
      832, 832, 1280, 1280, 2304, 2304, 4352, 4352, 8448, 8448, 4928, 4928, 9024, 13120, 66368,
    ]);
    expect(FRAG_QUEUE_SIZE).toBe(184);
  });
});

describe("outcomes", () => {
  it("ICMP errors sort by time, type, code, pointer", () => {
    const e = (t: number, type: number, code: number, pointer: number) => ({ t, type, code, pointer });
    const list = [e(2, 4, 0, 4), e(1, 4, 0, 42), e(2, 3, 1, 0), e(2, 4, 0, 3), e(2, 4, 3, 0)];
    expect(sortIcmp(list).map(icmpKey)).toEqual(["1/4/0/42", "2/3/1/0", "2/4/0/3", "2/4/0/4", "2/4/3/0"]);
    expect(list[0]).toEqual(e(2, 4, 0, 4));
    expect(sortIcmp([e(1, 4, 3, 0), e(1, 4, 0, 0)]).map(icmpKey)).toEqual(["1/4/0/0", "1/4/3/0"]);
    expect(sortIcmp([e(1, 4, 0, 0), e(1, 4, 3, 0)]).map(icmpKey)).toEqual(["1/4/0/0", "1/4/3/0"]);
  });

  it("deliveries of several datagrams merge in event order", () => {
    const d = (event: number) => ({ event, t: event, packet: `${event}` });
    expect(mergeDeliveries([[d(3), d(5)], [d(1)], [d(4)]]).map((x) => x.event)).toEqual([1, 3, 4, 5]);
  });

  it("the canonical outcome: each group's first candidate with every ICMP it allows; exact profiles as predicted", () => {
    const e = {
      kind: "choice" as const,
      profile: "rfc8200",
      relaxed: null,
      notes: [],
      groups: [
        {
          key: "a",
          candidates: [
            {
              choices: [],
              delivered: [{ event: 2, t: 9, packet: "bb" }],
              icmpRequired: [{ t: 5, type: 4, code: 0, pointer: 4 }],
              icmpOptional: [{ t: 1, type: 3, code: 1, pointer: 0 }],
            },
            { choices: [], delivered: [], icmpRequired: [], icmpOptional: [] },
          ],
        },
        {
          key: "b",
          candidates: [
            { choices: [], delivered: [{ event: 1, t: 8, packet: "aa" }], icmpRequired: [], icmpOptional: [] },
          ],
        },
      ],
    };
    expect(canonicalOutcome(e)).toEqual({
      delivered: [
        { t: 8, packet: "aa" },
        { t: 9, packet: "bb" },
      ],
      icmp: [
        { t: 1, type: 3, code: 1, pointer: 0 },
        { t: 5, type: 4, code: 0, pointer: 4 },
      ],
    });
    const exact = { kind: "exact" as const, profile: "linux-ipv6", outcome: { delivered: [], icmp: [] }, notes: [] };
    expect(canonicalOutcome(exact)).toBe(exact.outcome);
  });

  it("frag6Run answers with the canonical outcome of each profile", () => {
    const events = at(frag(0, 16), frag(16, 32));
    for (const profile of ["rfc8200", "linux-ipv6", "linux-nfct"] as const) {
      expect(frag6Run(events, profile)).toEqual({ delivered: [{ t: 1, packet: toHex(ORIGINAL) }], icmp: [] });
    }
  });

  it("profiles", () => {
    expect(["rfc8200", "linux-ipv6", "linux-nfct", "linux", 7, null].map(isFrag6Profile)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});

describe("inet_frag_queue_insert runs, more cases", () => {
  it("the tail path appends to the last run, or starts a new one after a gap; a run of its own elsewhere", () => {
    const r = emptyRuns();
    expect([queueInsert(r, 8, 16), queueInsert(r, 16, 24), queueInsert(r, 32, 40), queueInsert(r, 0, 8)]).toEqual([
      "ok",
      "ok",
      "ok",
      "ok",
    ]);
    expect(r.runs).toEqual([
      { start: 8, end: 24 },
      { start: 32, end: 40 },
      { start: 0, end: 8 },
    ]);
    expect([r.tailEnd, r.lastRun]).toEqual([40, { start: 32, end: 40 }]);
    // Inside a run: a duplicate; across a run's edge: an overlap; touching edges: neither.
    expect([queueInsert(r, 8, 24), queueInsert(r, 16, 24), queueInsert(r, 20, 28), queueInsert(r, 24, 32)]).toEqual([
      "dup",
      "dup",
      "overlap",
      "ok",
    ]);
    expect(queueInsert(r, 36, 40)).toBe("dup");
    expect(queueInsert(r, 36, 48)).toBe("overlap");
  });
});
