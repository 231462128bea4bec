// kernelHz (sys/kernel-hz.ts) takes only a HZ Kconfig offers, and the linux
// adapter's hello version names it.
import { describe, expect, it } from "vitest";
import { hzFromResolution, KNOWN_HZ, kernelHz } from "../../sys/kernel-hz.js";
import { kernelDescription } from "../../iut/linux/linux-iut.js";

describe("kernel HZ", () => {
  it("reads each CONFIG_HZ from its tick length", () => {
    expect([10_000_000, 4_000_000, 3_333_333, 1_000_000].map(hzFromResolution)).toEqual([100, 250, 300, 1000]);
  });

  it("refuses a resolution that is no CONFIG_HZ, naming it", () => {
    expect(() => hzFromResolution(1)).toThrow(/gave 1 ns, which is no CONFIG_HZ \(100, 250, 300, 1000\)/);
    expect(() => hzFromResolution(2_000_000)).toThrow(/gave 2000000 ns/);
  });

  it("measures this kernel's HZ and puts it in the adapter's version", () => {
    expect(KNOWN_HZ).toContain(kernelHz());
    expect(kernelDescription()).toMatch(new RegExp(` HZ ${kernelHz()}$`));
  });
});
