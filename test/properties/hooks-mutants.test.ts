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
    // What catches each mutant at seed 42 (each listed property must fail on it); the others are not judged
    // against it. A new mutant not listed here is judged by every property.
    caughtBy: {
      "hooks-equal-priority-after": [
        "replies-match-model",
        "equal-priority-order",
        "traversal-visits-registered",
        "limit-1024",
      ],
      "hooks-no-limit": ["limit-1024"],
      "hooks-limit-off-by-one": ["limit-1024"],
      "hooks-limit-1025": ["limit-1024"],
      "hooks-first-last-refused": ["replies-match-model", "limit-1024"],
      "hooks-inet-no-rollback": ["refused-register-changes-nothing", "limit-1024"],
      "hooks-inet-ipv4-only": ["replies-match-model", "traversal-visits-registered", "limit-1024"],
      "hooks-device-unchecked": ["replies-match-model"],
      "hooks-hook5-slot": ["replies-match-model"],
      "hooks-numberless-listed": ["replies-match-model"],
      "hooks-unregister-swap-remove": [
        "replies-match-model",
        "traversal-sorted-by-priority",
        "equal-priority-order",
        "traversal-visits-registered",
        "unregister-keeps-order",
        "limit-1024",
      ],
      "hooks-priority-overflow": [
        "replies-match-model",
        "traversal-sorted-by-priority",
        "traversal-visits-registered",
        "limit-1024",
      ],
      "hooks-drop-continues": [
        "replies-match-model",
        "traversal-visits-registered",
        "traversal-stops-at-first-drop",
        "unregister-keeps-order",
      ],
      "hooks-batch-traversals-last": [
        "replies-match-model",
        "traversal-sorted-by-priority",
        "traversal-visits-registered",
        "traversal-stops-at-first-drop",
        "limit-1024",
      ],
      "hooks-batch-no-fallback": ["replies-match-model"],
      "hooks-defrag-priority": ["prerouting-defrag-split"],
      "hooks-defrag-passes-fragments": ["prerouting-defrag-split"],
    },
  },
  { describe, it },
);
