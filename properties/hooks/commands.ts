// A hooks case is a sequence of protocol commands, plain JSON so it replays
// from a corpus file. `fill` stands for `count` registrations in a row, so a
// case that reaches the 1024 limit stays small.
import type { HookFamily, HookName, TraverseFamily, Verdict } from "../../model/hooks/families.js";
import type { HookRegistration } from "../../model/hooks/namespace.js";

export type RegisterCommand = { op: "register" } & HookRegistration;
export interface UnregisterCommand {
  op: "unregister";
  name: string;
}
export interface TraverseCommand {
  op: "traverse";
  family: TraverseFamily;
  hook: HookName;
  device: string | null;
}
/** Registers `${prefix}0` .. `${prefix}${count - 1}`, the i-th at priorities[i % priorities.length]. */
export interface FillCommand {
  op: "fill";
  prefix: string;
  count: number;
  family: HookFamily;
  hook: HookName;
  device: string | null;
  priorities: number[];
  verdict: Verdict;
}

export type HookCommand = RegisterCommand | UnregisterCommand | TraverseCommand | FillCommand;

export interface SequenceInput {
  commands: HookCommand[];
}

/**
 * What one command got back: an errno, runs of errnos for a fill, a
 * traversal, or, from an IUT that cannot judge it (a partial hooks.batch),
 * unjudged with why (a fill with any step unjudged is unjudged whole).
 */
export type StepReply =
  | { errno: number }
  | { errnos: [errno: number, count: number][] }
  | { visited: string[]; verdict: Verdict }
  | { unjudged: string };

export function fillRegistrations(fill: FillCommand): HookRegistration[] {
  return Array.from({ length: fill.count }, (_, i) => ({
    name: `${fill.prefix}${i}`,
    family: fill.family,
    hook: fill.hook,
    priority: fill.priorities[i % fill.priorities.length]!,
    verdict: fill.verdict,
    device: fill.device,
  }));
}

/** Run-length form of a fill's errnos: [[0, 1024]] rather than 1024 zeros. */
export function errnoRuns(errnos: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const e of errnos) {
    const last = runs[runs.length - 1];
    if (last && last[0] === e) last[1]++;
    else runs.push([e, 1]);
  }
  return runs;
}

/** Every registration of a sequence with the index of its command, fills expanded. */
export function registrationsOf(commands: readonly HookCommand[]): { step: number; registration: HookRegistration }[] {
  const out: { step: number; registration: HookRegistration }[] = [];
  commands.forEach((c, step) => {
    if (c.op === "register") out.push({ step, registration: c });
    if (c.op === "fill") for (const registration of fillRegistrations(c)) out.push({ step, registration });
  });
  return out;
}

export function describeCommand(c: HookCommand): string {
  const dev = (d: string | null) => (d === null ? "" : ` dev ${d}`);
  switch (c.op) {
    case "register":
      return `register ${c.name} ${c.family} ${c.hook}${dev(c.device)} priority ${c.priority} ${c.verdict}`;
    case "unregister":
      return `unregister ${c.name}`;
    case "traverse":
      return `traverse ${c.family} ${c.hook}${dev(c.device)}`;
    case "fill":
      return `fill ${c.count} x ${c.prefix}* ${c.family} ${c.hook}${dev(c.device)}`;
  }
}
