// Every hooks boundary the model has a rule for comes up in every default run
// (100 cases per property) on each of 20 run seeds: priorities INT_MIN and
// INT_MAX, a priority equal to one already in the same list, and a list
// holding 1022, 1023 or 1024 hooks when one more arrives (the 1023rd, 1024th
// and 1025th), and a device hook on a device that does not exist or none.
// Hook names are not bounded by the model, so have no edge.
import { describe, it } from "vitest";
import { INT_MAX, INT_MIN } from "../../model/hooks/families.js";
import { HOOKS_PROPERTIES } from "../../properties/hooks/properties.js";
import { registrationsOf, type SequenceInput } from "../../properties/hooks/commands.js";
import { expectEveryClassEverySeed, seedsReaching } from "./boundary-coverage.js";

function classesOf(input: SequenceInput): string[] {
  const found: string[] = [];
  const byList = new Map<string, Set<number>>();
  for (const { registration: r } of registrationsOf(input.commands)) {
    if (r.priority === INT_MIN) found.push("priority INT_MIN");
    if (r.priority === INT_MAX) found.push("priority INT_MAX");
    const deviceHook = r.family === "netdev" || (r.family === "inet" && r.hook === "ingress");
    if (deviceHook && r.device !== "veth0" && r.device !== "veth1") found.push("device hook without a device");
    const list = `${r.family}/${r.hook}/${r.device}`;
    const seen = byList.get(list) ?? new Set<number>();
    if (seen.has(r.priority)) found.push("priority equal to another in the list");
    byList.set(list, seen.add(r.priority));
  }
  for (const c of input.commands) if (c.op === "fill") found.push(`one more after ${c.count}`);
  return found;
}

describe("hooks boundaries in every default run", () => {
  it("reaches INT_MIN, INT_MAX, equal priorities and each side of the 1024 limit", () => {
    const reached = seedsReaching(
      // The command-sequence properties (the defrag property's boundaries: hooks-defrag.test.ts).
      HOOKS_PROPERTIES.map((property) => ({ property, classify: classesOf })),
      { profile: "linux" },
    );
    expectEveryClassEverySeed(reached, [
      "priority INT_MIN",
      "priority INT_MAX",
      "priority equal to another in the list",
      "one more after 1022",
      "one more after 1023",
      "one more after 1024",
      "device hook without a device",
    ]);
  });
});
