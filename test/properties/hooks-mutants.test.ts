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
    everyPropertyCatches: true,
  },
  { describe, it },
);
