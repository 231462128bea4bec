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
    // What catches each mutant at seed 42 (each listed property must fail on it); the others are not judged
    // against it. A new mutant not listed here is judged by every property.
    caughtBy: {
      "cttimeout-delete-ignores-refcount": [
        "replies-match-model",
        "state-equals-model",
        "delete-exactly-when-unused",
        "delete-all-removes-exactly-unused",
        "in-use-never-freed",
      ],
      "cttimeout-delete-all-stops-at-busy": ["replies-match-model", "delete-all-removes-exactly-unused"],
      "cttimeout-use-off-by-one": ["replies-match-model", "state-equals-model", "use-counts-live-users"],
      "cttimeout-name-32-accepted": ["replies-match-model", "state-equals-model"],
      "cttimeout-name-31-refused": ["replies-match-model", "state-equals-model", "delete-exactly-when-unused"],
      "cttimeout-timeout-no-wrap": ["replies-match-model", "state-equals-model"],
      "cttimeout-excl-ignored": ["replies-match-model"],
      "cttimeout-refused-new-links": ["state-equals-model", "refused-message-changes-nothing"],
      "cttimeout-no-multi": ["replies-match-model"],
      "cttimeout-l4-before-name": ["replies-match-model"],
      "cttimeout-default-set-needs-l3": ["replies-match-model", "state-equals-model"],
      "cttimeout-attach-ignores-l3": ["replies-match-model", "state-equals-model"],
    },
  },
  { describe, it },
);
