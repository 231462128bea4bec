// Every hooks mutant is caught with a replayable shrunk command sequence; the model passes in each profile.
import { describe, it } from "vitest";
import { HOOKS_AREA } from "../../properties/hooks/area.js";
import { describeAreaMutants } from "./mutant-harness.js";

describeAreaMutants(
  {
    area: HOOKS_AREA,
    prefix: "hooks-",
    atLeast: 5,
    deterministicWith: "hooks-equal-priority-after",
    runs: 150,
    // A registration at hook 5 (ingress) of ipv4, ipv6 or bridge is a rare draw: at seed 42 the mutant is caught at 300 runs, not at 150.
    runsByMutant: { "hooks-hook5-slot": 300 },
    everyPropertyCatches: true,
  },
  { describe, it },
);
