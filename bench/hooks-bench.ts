// Hooks: model commands per second over generated sequences, and (in a
// namespace of its own, like the kernel IUT) kernel traversals per second
// with the register, fill-to-1024 and reset costs beside them.
import fc from "fast-check";
import { hookSequence } from "../properties/hooks/generators.js";
import { ModelSteps } from "../properties/hooks/model-run.js";
import { benchInNamespace } from "./in-namespace.js";
import { measure } from "./measure.js";

export function hooksModelBench(ms: number): string[] {
  const sequences = fc.sample(hookSequence("linux"), { seed: 1, numRuns: 300 }).map((s) => s.commands);
  const commands = sequences.reduce((n, c) => n + c.length, 0);
  let i = 0;
  const rate = measure(() => {
    const model = new ModelSteps("linux");
    for (const c of sequences[i++ % sequences.length]!) model.step(c);
  }, ms);
  return [
    `hooks model:                     ${((rate.perSecond * commands) / sequences.length).toFixed(0)} commands/s (${sequences.length} generated sequences)`,
  ];
}

export function linuxHooksBench(): string[] {
  return benchInNamespace("kernel hooks", "linux-hooks-inner.js");
}
