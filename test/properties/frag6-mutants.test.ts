// Every frag6 mutant is caught with a replayable shrunk fragment stream; the model passes in each profile.
import { describe, it } from "vitest";
import { FRAG6_AREA } from "../../properties/frag6/area.js";
import { describeAreaMutants } from "./mutant-harness.js";

describeAreaMutants(
  { area: FRAG6_AREA, prefix: "frag6-", atLeast: 6, deterministicWith: "frag6-overlap-keeps-later-data", runs: 100 },
  { describe, it },
);
