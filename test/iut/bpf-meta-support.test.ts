// Which packet metadata the kernel IUT sets and which it declines, with the
// reason (iut/linux/bpf/meta-support.ts, rx-plan.ts); no kernel needed.
import { describe, expect, it } from "vitest";
import { xtMetaProblem } from "../../iut/linux/bpf/meta-support.js";
import { programReads } from "../../iut/linux/bpf/program-reads.js";
import { planReceive, RESERVED_IFINDEX } from "../../iut/linux/bpf/rx-plan.js";
import { insn } from "../../model/bpf/opcodes.js";

const v4 = Uint8Array.of(0x45, ...new Array(19).fill(0));
const v6 = Uint8Array.of(0x60, ...new Array(39).fill(0));

describe("kernel IUT: bpf.run metadata", () => {
  it("runs without metadata, and with a mark and the packets' own protocol", () => {
    expect(xtMetaProblem(undefined, [v4])).toBeNull();
    expect(xtMetaProblem({}, [v4])).toBeNull();
    expect(xtMetaProblem({ mark: 0xffffffff }, [v4, v6])).toBeNull();
    expect(xtMetaProblem({ mark: 1, protocol: 0x0800 }, [v4])).toBeNull();
  });
  it("declines what it cannot set, naming the field and why", () => {
    expect(xtMetaProblem({ protocol: 0x0800 }, [v4, v6])).toMatch(/protocol 0x800: packet 1's skb->protocol/);
    expect(xtMetaProblem({ mark: 1, vlan: { proto: 0x8100, tci: 1 } }, [v4])).toMatch(/^packet metadata vlan: /);
    expect(xtMetaProblem({ mac: new Uint8Array(14) }, [v4])).toMatch(/^packet metadata mac: .*no MAC header/);
    expect(xtMetaProblem({ mac: null }, [v4])).toBeNull(); // exactly what LOCAL_OUT has
  });
});

// Socket-filter runs with metadata (iut/linux/bpf/rx-plan.ts): the AF_UNIX
// socketpair when the program reads no given field, else a received frame.
const AD = -0x1000;
const ld = (off: number) => insn(0x20, 0, 0, AD + off); // LD|W|ABS SKF_AD_OFF + off
const RET_A = insn(0x16, 0, 0, 0);
const plan = (program: ReturnType<typeof insn>[], meta: Parameters<typeof planReceive>[0], packets = [v4]) =>
  planReceive(meta, programReads(program), packets);

describe("kernel IUT: socket runs with metadata", () => {
  it("runs on AF_UNIX when the program reads no given field", () => {
    expect(plan([ld(20), RET_A], { pkttype: 3 })).toEqual({ path: "unix" });
    expect(plan([insn(0x20, 0, 0, 0), RET_A], { mark: 1, mac: new Uint8Array(0) })).toEqual({ path: "unix" });
  });
  it("runs on AF_UNIX when every given field it reads is what the socketpair's skb holds", () => {
    const LD_LL = insn(0x30, 0, 0, -0x200000);
    const unixLike = { mark: 0, mac: null, device: null, protocol: 0, vlan: { proto: 0, tci: 0 }, network: 0 };
    expect(plan([LD_LL, ld(0), ld(8), ld(44), ld(28), RET_A], unixLike)).toEqual({ path: "unix" });
    expect(plan([LD_LL, ld(0), RET_A], { ...unixLike, protocol: 0x0800 })).toMatch(/^packet metadata mac: /);
    // Not for xt_bpf: its other path is LOCAL_OUT, whose skb is not the socketpair's.
    expect(planReceive({ protocol: 0 }, programReads([ld(0), RET_A]), [v4], "xt_bpf")).toMatch(
      /^packet metadata protocol/,
    );
  });
  it("builds a received frame for the fields it reads", () => {
    const p = plan([ld(20), ld(4), ld(0), ld(44), ld(8), RET_A], {
      mark: 0x1234aaaa,
      pkttype: 3,
      protocol: 0x0800,
      vlan: { proto: 0x0800, tci: 0xffff },
      device: { ifindex: 577, hatype: 1 },
    });
    if (typeof p === "string" || p.path !== "receive") throw new Error(String(p));
    expect(p).toMatchObject({ layout: "dgram", mark: 0x1234aaaa, ifindex: 577 });
    const f = p.frames[0]!;
    expect([...f.frame.subarray(12, 18)]).toEqual([0x81, 0, 0xff, 0xff, 0x08, 0]); // the tag, then IPv4
    expect(f.seen.length).toBe(14 + v4.length);
    expect(f.pkttype).toBe(3);
  });
  it("gives the hash a program reads to the sender's tc program, and none when it reads none", () => {
    expect(plan([ld(32), RET_A], { rxhash: 0xfffffff5 })).toMatchObject({ path: "receive", rxhash: 0xfffffff5 });
    expect(plan([ld(32), ld(0), RET_A], { protocol: 0x0800 })).toMatchObject({ path: "receive", rxhash: 0 });
    expect(plan([ld(0), RET_A], { protocol: 0x0800, rxhash: 7 })).not.toHaveProperty("rxhash");
  });
  it("sees a packet starting at its MAC header on SOCK_RAW", () => {
    const frame = Uint8Array.of(...new Array(12).fill(2), 0x08, 0, ...v4);
    const p = plan(
      [insn(0x30, 0, 0, -0x200000), insn(0x30, 0, 0, -0x100000), RET_A],
      { mac: new Uint8Array(0), network: 14 },
      [frame],
    );
    expect(p).toMatchObject({ path: "receive", layout: "raw" });
  });
  it("declines what a received frame cannot carry, naming the field and why", () => {
    expect(plan([ld(24), RET_A], { queue: 123 })).toMatch(/^packet metadata queue: /);
    expect(plan([ld(28), RET_A], { device: { ifindex: 1, hatype: 588 } })).toMatch(
      /^packet metadata device: hatype 588/,
    );
    expect(plan([ld(8), ld(0), RET_A], { device: null, protocol: 0x0800 })).toMatch(/^packet metadata device: /);
    expect(plan([ld(4), RET_A], { pkttype: 5 })).toMatch(/^packet metadata pkttype: 5/);
    expect(plan([ld(60), RET_A], { vlan: { proto: 0x0800, tci: 1 } })).toMatch(/^packet metadata vlan: proto 0x800/);
    expect(plan([ld(0), ld(20), RET_A], { protocol: 0, mark: 1 })).toMatch(/^packet metadata protocol: 0x0/);
    expect(plan([insn(0x30, 0, 0, -0x200000), ld(20), RET_A], { mac: null, mark: 1 })).toMatch(
      /^packet metadata mac: /,
    );
    expect(plan([insn(0x30, 0, 0, -0x200000), RET_A], { mac: new Uint8Array(7) })).toMatch(
      /^packet metadata mac: 7 bytes/,
    );
  });
});

describe("kernel IUT: the receiving device's ifindex", () => {
  // Whether a case is declined must not depend on which instance judges it or
  // what that instance made before: a pure function of the request.
  const LD_IFINDEX = ld(8);
  const ask = (ifindex: number, attach: "socket" | "xt_bpf") =>
    planReceive({ device: { ifindex, hatype: 1 } }, programReads([LD_IFINDEX, RET_A]), [v4], attach);
  const reserved = `the IUT's namespace keeps ifindexes 1-${RESERVED_IFINDEX.max}`;
  it("keeps lo, the test network, the bridge and the automatic pair below every index a case gets", () => {
    const { max, bridge, autoRx, autoTx } = RESERVED_IFINDEX;
    expect([bridge, autoRx, autoTx].every((i) => i > 3 && i <= max)).toBe(true);
    expect(new Set([bridge, autoRx, autoTx]).size).toBe(3);
  });
  it("declines exactly the reserved indices, with one fixed reason, in any order", () => {
    const asked = [
      1,
      2,
      3,
      5,
      RESERVED_IFINDEX.bridge,
      RESERVED_IFINDEX.max,
      RESERVED_IFINDEX.max + 1,
      577,
      0x7fffffff,
    ];
    for (const attach of ["socket", "xt_bpf"] as const) {
      const once = asked.map((i) => ask(i, attach));
      const again = [...asked]
        .reverse()
        .map((i) => ask(i, attach))
        .reverse();
      expect(again).toEqual(once);
      asked.forEach((i, k) => {
        const p = once[k]!;
        if (i <= RESERVED_IFINDEX.max)
          expect(p).toBe(
            `packet metadata device: ifindex ${i}: ${reserved} for lo, its test network and the receive path's own bridge and veth pair`,
          );
        else expect(p).toMatchObject({ path: "receive", ifindex: i });
      });
    }
  });
});

describe("kernel IUT: xt_bpf runs with metadata LOCAL_OUT cannot carry", () => {
  it("receives a frame at the bridge's PREROUTING, leaving unread-or-ungiven fields free", () => {
    const p = planReceive(
      { vlan: { proto: 0x8100, tci: 5 } },
      programReads([ld(44), ld(0), ld(20), ld(4), RET_A]),
      [v4],
      "xt_bpf",
    );
    if (typeof p === "string" || p.path !== "receive") throw new Error(String(p));
    expect(p.layout).toBe("dgram");
    expect([...p.frames[0]!.frame.subarray(12, 18)]).toEqual([0x81, 0, 0, 5, 0x08, 0]); // default protocol: the IP version's
  });
  it("declines a MAC header at the network header's place", () => {
    const program = [insn(0x30, 0, 0, -0x200000), RET_A];
    expect(planReceive({ mac: new Uint8Array(0) }, programReads(program), [v4], "xt_bpf")).toMatch(
      /^packet metadata mac: xt_bpf sees the packet at its network header/,
    );
  });
});
