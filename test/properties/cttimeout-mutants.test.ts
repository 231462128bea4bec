// Every cttimeout mutant is caught with a replayable shrunk sequence; the model passes in each profile.
import { describe, it } from "vitest";
import { CTTIMEOUT_AREA } from "../../properties/cttimeout/area.js";
import { describeAreaMutants } from "./mutant-harness.js";

describeAreaMutants(
  {
    area: CTTIMEOUT_AREA,
    prefix: "cttimeout-",
    atLeast: 5,
    deterministicWith: "cttimeout-use-off-by-one",
    runs: 150,
    everyPropertyCatches: true,
  },
  { describe, it },
);
