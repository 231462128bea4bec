// How an observed frag6.run reply is judged (model/frag6/judge.ts): exact
// profiles compare deliveries (time, bytes, order) and, when reported, ICMP;
// rfc8200 looks for one candidate per datagram that explains the reply.
import { describe, expect, it } from "vitest";
import { describeDeliveryDifference, judgeFrag6 } from "../../model/frag6/judge.js";
import type { Candidate, Frag6Expectation } from "../../model/frag6/outcome.js";

const d = (t: number, packet: string) => ({ t, packet });
const te = (t: number) => ({ t, type: 3, code: 1, pointer: 0 });
const pp = (t: number, pointer: number) => ({ t, type: 4, code: 0, pointer });
const exact = (delivered: { t: number; packet: string }[], icmp = [te(60000)]): Frag6Expectation => ({
  kind: "exact",
  profile: "linux-ipv6",
  outcome: { delivered, icmp },
  notes: [],
});
const cand = (event: number, t: number, packet: string | null, options: Partial<Candidate> = {}): Candidate => ({
  choices: [],
  delivered: packet === null ? [] : [{ event, t, packet }],
  icmpRequired: [],
  icmpOptional: [],
  ...options,
});
const choice = (groups: Candidate[][], relaxed: null | "subsequence" = null): Frag6Expectation => ({
  kind: "choice",
  profile: "rfc8200",
  groups: groups.map((candidates, i) => ({ key: `g${i}`, candidates })),
  relaxed,
  notes: [],
});

describe("describeDeliveryDifference", () => {
  it("names the extra, the missing, the first differing byte, or another time", () => {
    expect(describeDeliveryDifference([d(1, "aabb")], [d(1, "aabb"), d(2, "cc")])).toBe(
      "delivered 2 datagrams, the model 1: extra t=2 1 bytes",
    );
    expect(describeDeliveryDifference([d(1, "aabb"), d(2, "ccdd")], [d(1, "aabb")])).toBe(
      "delivered 1 datagrams, the model 2: missing t=2 2 bytes",
    );
    expect(describeDeliveryDifference([d(1, "aabbcc")], [d(1, "aabbdd")])).toBe(
      "delivery 0: t=1 3 bytes, the model t=1 3 bytes (first difference at byte 2)",
    );
    expect(describeDeliveryDifference([d(1, "aabb")], [d(3, "aabb")])).toBe(
      "delivery 0: t=3 2 bytes, the model t=1 2 bytes",
    );
    expect(describeDeliveryDifference([d(1, "aabb")], [d(1, "aabbcc")])).toBe(
      "delivery 0: t=1 3 bytes, the model t=1 2 bytes",
    );
    expect(describeDeliveryDifference([d(1, "aabb")], [d(3, "aacc")])).toBe(
      "delivery 0: t=3 2 bytes, the model t=1 2 bytes",
    );
    expect(describeDeliveryDifference([d(1, "aabb")], [d(1, "babb")])).toBe(
      "delivery 0: t=1 2 bytes, the model t=1 2 bytes (first difference at byte 0)",
    );
    expect(describeDeliveryDifference([d(1, "aa")], [d(1, "aa")])).toBe("identical");
  });
});

describe("exact profiles", () => {
  it("deliveries must match in time, bytes and order", () => {
    expect(judgeFrag6(exact([d(1, "aa"), d(2, "bb")]), { delivered: [d(1, "aa"), d(2, "bb")] })).toEqual({ ok: true });
    expect(judgeFrag6(exact([d(1, "aa"), d(2, "bb")]), { delivered: [d(2, "bb"), d(1, "aa")] }).ok).toBe(false);
    expect(judgeFrag6(exact([d(1, "aa")]), { delivered: [d(1, "ab")] })).toEqual({
      ok: false,
      message: "delivery 0: t=1 1 bytes, the model t=1 1 bytes (first difference at byte 0)",
    });
    expect(judgeFrag6(exact([d(1, "aa")]), { delivered: [d(2, "aa")] }).ok).toBe(false);
    expect(judgeFrag6(exact([d(1, "aa")]), { delivered: [] }).ok).toBe(false);
  });

  it("ICMP is compared as a set when reported, and ignored when not", () => {
    const e = exact([], [pp(1, 4), te(60000)]);
    expect(judgeFrag6(e, { delivered: [] })).toEqual({ ok: true });
    expect(judgeFrag6(e, { delivered: [], icmp: [te(60000), pp(1, 4)] })).toEqual({ ok: true });
    expect(judgeFrag6(e, { delivered: [], icmp: [te(60000)] })).toEqual({
      ok: false,
      message: "ICMP errors [60000/3/1/0] (t/type/code/pointer), the model [1/4/0/4 60000/3/1/0]",
    });
  });
});

describe("rfc8200 choices", () => {
  it("one candidate per group, deliveries merged in event order", () => {
    const e = choice([[cand(3, 3, "cc"), cand(0, 0, null)], [cand(1, 1, "aa")]]);
    expect(judgeFrag6(e, { delivered: [d(1, "aa"), d(3, "cc")] })).toEqual({ ok: true });
    expect(judgeFrag6(e, { delivered: [d(1, "aa")] })).toEqual({ ok: true });
    expect(judgeFrag6(e, { delivered: [d(3, "cc"), d(1, "aa")] }).ok).toBe(false);
    // Two datagrams delivering the same bytes at the same time: both deliveries must be seen.
    const twice = choice([[cand(1, 1, "aa")], [cand(1, 1, "aa")]]);
    expect(judgeFrag6(twice, { delivered: [d(1, "aa"), d(1, "aa")] }).ok).toBe(true);
    expect(judgeFrag6(twice, { delivered: [d(1, "aa")] }).ok).toBe(false);
    expect(judgeFrag6(e, { delivered: [d(1, "aa"), d(3, "cd")] })).toEqual({
      ok: false,
      message:
        "no outcome RFC 8200 allows: delivery 1: t=3 1 bytes, the model t=3 1 bytes (first difference at byte 0) (against one allowed outcome)",
    });
  });

  it("required ICMP must be there, optional ICMP may be; anything else is refused with the deliveries allowed", () => {
    const e = choice([[cand(1, 1, "aa", { icmpRequired: [pp(0, 4)], icmpOptional: [te(60000)] })]]);
    expect(judgeFrag6(e, { delivered: [d(1, "aa")], icmp: [pp(0, 4)] }).ok).toBe(true);
    expect(judgeFrag6(e, { delivered: [d(1, "aa")], icmp: [pp(0, 4), te(60000)] }).ok).toBe(true);
    expect(judgeFrag6(e, { delivered: [d(1, "aa")], icmp: [] }).ok).toBe(false);
    expect(judgeFrag6(e, { delivered: [d(1, "aa")], icmp: [pp(0, 4), pp(0, 4)] })).toEqual({
      ok: false,
      message:
        'ICMP errors [{"t":0,"type":4,"code":0,"pointer":4},{"t":0,"type":4,"code":0,"pointer":4}] are not allowed with these deliveries (allowed, at most: [{"t":0,"type":4,"code":0,"pointer":4},{"t":60000,"type":3,"code":1,"pointer":0}])',
    });
    expect(judgeFrag6(e, { delivered: [d(1, "aa")] }).ok).toBe(true);
  });

  it("a relaxed prediction accepts any subsequence of a candidate's deliveries, in order, and does not judge ICMP", () => {
    const e = choice([[cand(1, 1, "aa")], [cand(2, 2, "bb")]], "subsequence");
    expect(judgeFrag6(e, { delivered: [d(2, "bb")], icmp: [pp(5, 4)] }).ok).toBe(true);
    expect(judgeFrag6(e, { delivered: [] }).ok).toBe(true);
    expect(judgeFrag6(e, { delivered: [d(2, "bb"), d(1, "aa")] }).ok).toBe(false);
    expect(judgeFrag6(e, { delivered: [d(3, "cc")] }).ok).toBe(false);
    expect(judgeFrag6(e, { delivered: [d(5, "bb")] }).ok).toBe(false);
    expect(judgeFrag6(e, { delivered: [d(2, "bc")] }).ok).toBe(false);
  });

  it("gives up after 20,000 steps of the search", () => {
    // Groups whose second candidate allows one Time Exceeded: explaining n of them takes the last
    // combination in search order, 2^(n+1) steps: found for 13 groups, beyond the budget for 15.
    const groups = (n: number) =>
      choice(Array.from({ length: n }, () => [cand(0, 0, null), cand(0, 0, null, { icmpOptional: [te(1)] })]));
    const icmp = (n: number) => Array.from({ length: n }, () => te(1));
    expect(judgeFrag6(groups(13), { delivered: [], icmp: icmp(13) }).ok).toBe(true);
    expect(judgeFrag6(groups(15), { delivered: [], icmp: icmp(15) }).ok).toBe(false);
    expect(judgeFrag6(groups(15), { delivered: [], icmp: icmp(1) }).ok).toBe(true);
  });
});
