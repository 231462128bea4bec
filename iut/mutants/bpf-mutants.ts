// Deliberately broken classic BPF IUTs: the model with one rule of its
// semantics wrong each (model/bpf/semantics.ts). The test suite asserts that
// each one is caught with a shrunk program and packet.
import { contextResult } from "../../model/bpf/contexts.js";
import { LINUX_SEMANTICS, type BpfSemantics } from "../../model/bpf/semantics.js";
import { loadWith, runWith } from "../model/bpf-handlers.js";
import type { MutantDefinition } from "./mutant.js";

function withSemantics(name: string, description: string, change: Partial<BpfSemantics>): MutantDefinition {
  const semantics = { ...LINUX_SEMANTICS, ...change };
  return { name, description, overrides: { "bpf.load": loadWith(semantics), "bpf.run": runWith(semantics) } };
}

export const BPF_MUTANTS: readonly MutantDefinition[] = [
  withSemantics(
    "bpf-div-by-x-zero-continues",
    "division or modulo by X == 0 sets A to 0 and goes on instead of returning 0",
    { divideByZero: "zero-continues" },
  ),
  withSemantics(
    "bpf-shift-by-x-unmasked",
    "a shift by X of 32 or more gives 0 (libpcap's rule) instead of using X & 31",
    { shiftByX: "zero" },
  ),
  withSemantics("bpf-scratch-unchecked", "accepts loads of scratch cells no path wrote (no check_load_and_stores)", {
    checkScratchWritten: false,
  }),
  withSemantics("bpf-jump-range-off-by-one", "accepts a conditional jump to one past the last instruction", {
    jumpTargetSlack: 1,
  }),
  withSemantics("bpf-xt-accepts-65", "xt_bpf accepts 65 instructions (> 65 instead of > 64)", {
    xtMaxInstructions: 65,
  }),
  withSemantics(
    "bpf-oob-load-continues",
    "an out-of-bounds load gives 0 and the program goes on instead of returning 0",
    { failedLoad: "zero-continues" },
  ),
  withSemantics("bpf-msh-high-nibble", "ldxb 4*([k]&0xf) takes the high nibble of the byte", { msh: "high-nibble" }),
  {
    name: "bpf-socket-not-trimmed",
    description: "a socket accepts the whole datagram whenever the program returns non-zero (no min(return, length))",
    overrides: {
      "bpf.load": loadWith(LINUX_SEMANTICS),
      "bpf.run": runWith(LINUX_SEMANTICS, (attach, returned, length) =>
        attach === "socket" && returned !== 0 ? length : contextResult(attach, returned, length),
      ),
    },
  },
];
