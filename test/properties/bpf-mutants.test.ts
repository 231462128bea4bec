// Every bpf mutant is caught with a replayable shrunk program and packets, shown
// disassembled; the model passes.
import { describe, expect, it } from "vitest";
import { BPF_AREA } from "../../properties/bpf/area.js";
import { describeAreaMutants } from "./mutant-harness.js";

describeAreaMutants(
  {
    area: BPF_AREA,
    prefix: "bpf-",
    atLeast: 6,
    deterministicWith: "bpf-oob-load-continues",
    everyPropertyCatches: true,
    // The counterexample is shown disassembled, tcpdump -d style.
    checkViolation: (property, message) => {
      if (property !== "xt-bpf-refuses-65") expect(message).toMatch(/\(000\) \w+|instructions/);
    },
  },
  { describe, it },
);
