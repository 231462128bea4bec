// Which packet metadata the kernel IUT sets and which it declines, with the
// reason (iut/linux/bpf/meta-support.ts); no kernel needed.
import { describe, expect, it } from "vitest";
import { metaProblem } from "../../iut/linux/bpf/meta-support.js";

const v4 = Uint8Array.of(0x45, ...new Array(19).fill(0));
const v6 = Uint8Array.of(0x60, ...new Array(39).fill(0));

describe("kernel IUT: bpf.run metadata", () => {
  it("runs without metadata, and xt_bpf with a mark and the packets' own protocol", () => {
    expect(metaProblem("xt_bpf", undefined, [v4])).toBeNull();
    expect(metaProblem("socket", {}, [v4])).toBeNull();
    expect(metaProblem("xt_bpf", { mark: 0xffffffff }, [v4, v6])).toBeNull();
    expect(metaProblem("xt_bpf", { mark: 1, protocol: 0x0800 }, [v4])).toBeNull();
  });
  it("declines what it cannot set, naming the field and why", () => {
    expect(metaProblem("xt_bpf", { protocol: 0x0800 }, [v4, v6])).toMatch(/protocol 0x800: packet 1's skb->protocol/);
    expect(metaProblem("xt_bpf", { mark: 1, vlan: { proto: 0x8100, tci: 1 } }, [v4])).toMatch(
      /^packet metadata vlan: /,
    );
    expect(metaProblem("xt_bpf", { mac: null }, [v4])).toMatch(/^packet metadata mac: .*no MAC header/);
    expect(metaProblem("socket", { mark: 1 }, [v4])).toMatch(/^packet metadata \(mark\): an AF_UNIX datagram/);
  });
});
