// Replays a case on the IUT and walks its replies with what the inputs alone
// say about each hook (priority, verdict, when it was registered), for the
// invariant properties that need no model.
import type { Iut } from "../../iut/iut.js";
import type { Verdict } from "../../model/hooks/families.js";
import type { HookRegistration } from "../../model/hooks/namespace.js";
import { fillRegistrations, type HookCommand, type StepReply, type TraverseCommand } from "./commands.js";
import { iutReplies } from "./iut-calls.js";

export interface Known {
  priority: number;
  verdict: Verdict;
  /** Position of its registration among all registrations of the case. */
  order: number;
}

export type Event =
  | { step: number; kind: "register"; registration: HookRegistration; errno: number; known: Known }
  | { step: number; kind: "unregister"; name: string; errno: number }
  | {
      step: number;
      kind: "traverse";
      command: TraverseCommand;
      visited: string[];
      verdict: Verdict;
      hooks: ReadonlyMap<string, Known>;
    }
  /** A step the IUT answered unjudged (a partial hooks.batch): what it did is not known. */
  | { step: number; kind: "unjudged"; command: HookCommand; reason: string };

/** Expands fill runs back into one errno per registration. */
function runsToErrnos(reply: StepReply): number[] {
  if (!("errnos" in reply)) return [];
  return reply.errnos.flatMap(([errno, count]) => Array<number>(count).fill(errno));
}

/** Runs the commands on the IUT; `hooks` in each traversal holds what was registered before it. */
export async function observe(iut: Iut, commands: readonly HookCommand[]): Promise<Event[]> {
  const events: Event[] = [];
  const hooks = new Map<string, Known>();
  let order = 0;
  let step = -1;
  for await (const reply of iutReplies(iut, commands)) {
    const c = commands[++step]!;
    if ("unjudged" in reply) {
      // Its registrations keep their places in the order (the model counts them too).
      if (c.op === "register" || c.op === "fill")
        for (const registration of c.op === "fill" ? fillRegistrations(c) : [c])
          hooks.set(registration.name, {
            priority: registration.priority,
            verdict: registration.verdict,
            order: order++,
          });
      events.push({ step, kind: "unjudged", command: c, reason: reply.unjudged });
    } else if (c.op === "register" || c.op === "fill") {
      const registrations = c.op === "fill" ? fillRegistrations(c) : [c];
      const errnos = c.op === "fill" ? runsToErrnos(reply) : ["errno" in reply ? reply.errno : -1];
      registrations.forEach((registration, i) => {
        const known = { priority: registration.priority, verdict: registration.verdict, order: order++ };
        hooks.set(registration.name, known);
        events.push({ step, kind: "register", registration, errno: errnos[i] ?? -1, known });
      });
    } else if (c.op === "unregister") {
      events.push({ step, kind: "unregister", name: c.name, errno: "errno" in reply ? reply.errno : -1 });
    } else if ("visited" in reply) {
      events.push({
        step,
        kind: "traverse",
        command: c,
        visited: reply.visited,
        verdict: reply.verdict,
        hooks: new Map(hooks),
      });
    }
  }
  return events;
}

/** What of a case the IUT left unjudged: the steps it answered, those unjudged, and the first one's why. */
export function unjudgedSteps(events: readonly Event[]): { answered: number; unjudged: number; reason?: string } {
  const unjudged = events.filter((e): e is Extract<Event, { kind: "unjudged" }> => e.kind === "unjudged");
  return {
    answered: new Set(events.map((e) => e.step)).size,
    unjudged: unjudged.length,
    ...(unjudged[0] ? { reason: unjudged[0].reason } : {}),
  };
}

/** The first traversal a judge finds wrong, with what was wanted; null when all hold. */
export interface Finding {
  step: number;
  expected: unknown;
  observed: unknown;
  message: string;
}
