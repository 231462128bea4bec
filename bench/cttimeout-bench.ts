// cttimeout: model messages per second and kernel messages per second, on the
// same mix of generated messages (a NEW, GET, DEFAULT_GET, DELETE cycle plus
// generated ones). The kernel part runs in a namespace of its own.
import fc from "fast-check";
import { freshNamespace } from "../model/cttimeout/namespace.js";
import { receive, UnmodelledMessage } from "../model/cttimeout/receive.js";
import { cttimeoutRules } from "../model/cttimeout/rules.js";
import { encodeSpec, messageSpec } from "../properties/cttimeout/generators.js";
import { benchInNamespace } from "./in-namespace.js";
import { measure } from "./measure.js";

/** A fixed sample of generated messages the model answers (no declined ones). */
export function benchMessages(): Uint8Array[] {
  const rules = cttimeoutRules("linux");
  return fc.sample(messageSpec(), { seed: 5, numRuns: 400 }).flatMap((spec, i) => {
    const m = encodeSpec(spec, i + 1);
    try {
      receive(freshNamespace(), m, rules);
      return [m];
    } catch (error) {
      if (error instanceof UnmodelledMessage) return [];
      throw error;
    }
  });
}

export function cttimeoutModelBench(ms: number): string[] {
  const rules = cttimeoutRules("linux");
  const messages = benchMessages();
  let ns = freshNamespace();
  let i = 0;
  const rate = measure(() => {
    ns = receive(ns, messages[i++ % messages.length]!, rules).ns;
    if (i % messages.length === 0) ns = freshNamespace();
  }, ms);
  return [`cttimeout model: ${Math.round(rate.perSecond).toLocaleString("en")} messages/s`];
}

export function cttimeoutKernelBench(): string[] {
  return benchInNamespace("kernel cttimeout", "cttimeout-kernel-inner.js");
}
