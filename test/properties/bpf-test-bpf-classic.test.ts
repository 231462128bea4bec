// lib/test_bpf.c's classic cases (properties/bpf/test-bpf-classic.ts) judged
// on the model: every program is accepted, and every subtest returns what the
// kernel's own test expects, the skb's metadata given as bpf.run gives it.
import { describe, expect, it } from "vitest";
import { skbMetaFromJson } from "../../iut/ops/bpf.js";
import { runProgram } from "../../model/bpf/interpreter.js";
import { insn } from "../../model/bpf/opcodes.js";
import { validate } from "../../model/bpf/validator.js";
import { TEST_BPF_CLASSIC, testBpfMeta, testBpfPacket } from "../../properties/bpf/test-bpf-classic.js";

/** Loads the model does not determine, and why (none of them for lack of metadata). */
const UNDETERMINED: Record<string, string> = {
  LD_PAYLOAD_OFF: "skb_get_poff() dissects the packet (flow dissector): not modelled",
};

describe("lib/test_bpf.c classic cases on the model", () => {
  const program = (c: (typeof TEST_BPF_CLASSIC)[number]) => c.program.map(([code, jt, jf, k]) => insn(code, jt, jf, k));
  it("holds every case of the first block, each with its subtests", () => {
    expect(TEST_BPF_CLASSIC.length).toBe(36);
    expect(new Set(TEST_BPF_CLASSIC.map((c) => c.name)).size).toBe(36);
  });
  it.each(TEST_BPF_CLASSIC.map((c) => [c.name, c] as const))("%s", (name, c) => {
    expect(validate(program(c), "socket").errno).toBe(0);
    for (const [size, want] of c.runs) {
      // The CPU is the same for both loads of LD_CPU: any fixed value gives the same answer.
      const env = { skb: skbMetaFromJson(testBpfMeta(size)), anyAncillary: () => 5 };
      const r = runProgram(program(c), testBpfPacket(c, size), "socket", env);
      if (UNDETERMINED[name]) {
        expect(r.deterministic, `${name}: ${UNDETERMINED[name]}`).toBe(false);
        continue;
      }
      expect([size, r.returned]).toEqual([size, want >>> 0]);
      if (name !== "LD_CPU") expect(r.deterministic).toBe(true);
    }
  });
});
