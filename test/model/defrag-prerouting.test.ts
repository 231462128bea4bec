// The cross-area rule on hand-written cases: which IPv6 PRE_ROUTING chains see
// fragments and which the reassembled datagram (model/defrag/prerouting.ts).
import { describe, expect, it } from "vitest";
import { DEFRAG_RULES, preroutingSightings, type DefragStep } from "../../model/defrag/prerouting.js";
import { HOOKS_RULES } from "../../model/hooks/profiles.js";
import { toHex } from "../../wire/hex.js";
import { ORIGINAL, frag } from "./frag6-helpers.js";

const FIRST = frag(0, 16);
const LAST = frag(16, 32, { more: false });

/** chain@event: "F" for the fragment as it arrived, "D" for the reassembled datagram. */
function seen(steps: DefragStep[], packets: Uint8Array[], rules = DEFRAG_RULES): string[] {
  return preroutingSightings(steps, packets, rules).map((s) => {
    const hex = toHex(s.packet);
    const kind = hex === toHex(packets[s.event]!) ? "F" : hex === toHex(ORIGINAL) ? "D" : "?";
    return `${s.chain}@${s.event}${kind}`;
  });
}

const user: DefragStep = { defragUser: true };

describe("PRE_ROUTING chains around nf_defrag_ipv6", () => {
  it("below -400 sees each fragment; above, the datagram once, at the last fragment", () => {
    const steps = [user, { chain: "low", priority: -401 }, { chain: "high", priority: -399 }];
    expect(seen(steps, [FIRST, LAST])).toEqual(["low@0F", "low@1F", "high@1D"]);
  });

  it("at -400 itself: registered after the user, before defrag; registered before it, after defrag", () => {
    expect(seen([user, { chain: "tie", priority: -400 }], [FIRST, LAST])).toEqual(["tie@0F", "tie@1F"]);
    expect(seen([{ chain: "tie", priority: -400 }, user], [FIRST, LAST])).toEqual(["tie@1D"]);
    // The linked-list core put equal priorities after: the other way round.
    const list = { ...DEFRAG_RULES, hooks: HOOKS_RULES["linux-list"] };
    expect(seen([user, { chain: "tie", priority: -400 }], [FIRST, LAST], list)).toEqual(["tie@1D"]);
  });

  it("without a defrag user every chain sees every fragment", () => {
    expect(seen([{ chain: "high", priority: 0 }], [FIRST, LAST])).toEqual(["high@0F", "high@1F"]);
  });

  it("a stream that never completes reaches no chain above defrag; a second user changes nothing", () => {
    const steps = [user, { chain: "low", priority: -450 }, user, { chain: "high", priority: 0 }];
    expect(seen(steps, [FIRST])).toEqual(["low@0F"]);
  });

  it("an overlapping fragment is dropped at defrag, an exact duplicate stolen", () => {
    const steps = [user, { chain: "low", priority: -401 }, { chain: "high", priority: -399 }];
    expect(seen(steps, [FIRST, FIRST, LAST])).toEqual(["low@0F", "low@1F", "low@2F", "high@2D"]);
    expect(seen(steps, [FIRST, frag(8, 24), LAST])).toEqual(["low@0F", "low@1F", "low@2F"]);
  });

  it("a packet without a Fragment header goes through every chain unchanged", () => {
    const steps = [user, { chain: "low", priority: -401 }, { chain: "high", priority: -399 }];
    expect(seen(steps, [ORIGINAL])).toEqual(["low@0F", "high@0F"]);
  });
});
