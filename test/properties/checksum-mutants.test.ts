// Every checksum mutant is caught with a replayable shrunk counterexample; the model passes in each profile.
import { describe, it } from "vitest";
import { CHECKSUM_AREA } from "../../properties/checksum/area.js";
import { describeAreaMutants } from "./mutant-harness.js";

describeAreaMutants(
  {
    area: CHECKSUM_AREA,
    prefix: "checksum-",
    atLeast: 4,
    deterministicWith: "checksum-odd-byte-dropped",
    everyPropertyCatches: true,
  },
  { describe, it },
);
