// Deliberately broken cttimeout IUTs: the model with one rule wrong each. The
// test suite asserts that each one is caught with a shrunk sequence.
import { findByName, withPolicy } from "../../model/cttimeout/namespace.js";
import { cttimeoutRules, type CttimeoutRules } from "../../model/cttimeout/rules.js";
import { attach } from "../../model/cttimeout/users.js";
import { cttimeoutHandlersWith } from "../model/cttimeout-handlers.js";
import type { OpHandler } from "../model/model-state.js";
import { readAttachRequest } from "../ops/cttimeout.js";
import type { MutantDefinition } from "./mutant.js";

const LINUX = cttimeoutRules("linux");
const withRules = (rules: Partial<CttimeoutRules>): Record<string, OpHandler> => {
  const { netlink } = cttimeoutHandlersWith({ ...LINUX, ...rules });
  return { netlink: netlink! };
};

export const CTTIMEOUT_MUTANTS: readonly MutantDefinition[] = [
  {
    name: "cttimeout-delete-ignores-refcount",
    description: "deletes a named policy even while users hold it (no refcount_dec_if_one)",
    overrides: withRules({ deleteNeedsUnused: false }),
  },
  {
    name: "cttimeout-delete-all-stops-at-busy",
    description: "a DELETE without a name stops at the first policy in use instead of skipping it",
    overrides: withRules({ deleteAllStopsAtBusy: true }),
  },
  {
    name: "cttimeout-use-off-by-one",
    description: "reports USE as the number of users, without the list's own reference",
    overrides: withRules({ useOffset: -1 }),
  },
  {
    name: "cttimeout-name-32-accepted",
    description: "accepts names of 32 characters (NLA_NUL_STRING .len = CTNL_TIMEOUT_NAME_MAX instead of - 1)",
    overrides: withRules({ nameMax: 32 }),
  },
  {
    name: "cttimeout-name-31-refused",
    description: "refuses names of 31 characters (NAME .len one short: CTNL_TIMEOUT_NAME_MAX - 2)",
    overrides: withRules({ nameMax: 30 }),
  },
  {
    name: "cttimeout-timeout-no-wrap",
    description:
      "keeps each timeout as the seconds sent, where Linux keeps seconds * HZ in 32-bit jiffies (wrapping past 2^32 / HZ)",
    // At HZ 1 the jiffies are the seconds: a u32 never wraps.
    overrides: withRules({ hz: 1 }),
  },
  {
    name: "cttimeout-excl-ignored",
    description: "answers NEW with NLM_F_EXCL of an existing name as if the flag were absent (EBUSY, or a replace)",
    overrides: withRules({ exclHonoured: false }),
  },
  {
    name: "cttimeout-refused-new-links",
    description: "links a new policy before its DATA parses, so a NEW refused with ERANGE still leaves a policy",
    overrides: withRules({ parseBeforeLink: false }),
  },
  {
    name: "cttimeout-no-multi",
    description: "sends GET and DEFAULT_GET answers without NLM_F_MULTI",
    overrides: withRules({ multiOnData: false }),
  },
  {
    name: "cttimeout-l4-before-name",
    description:
      "looks the tracker up before the name in NEW (the 3.4 to 4.x order): EOPNOTSUPP wins over EEXIST and EBUSY",
    overrides: withRules({ l4BeforeName: true }),
  },
  {
    name: "cttimeout-default-set-needs-l3",
    description: "refuses DEFAULT_SET without L3PROTO, as the 5.x seed did",
    overrides: withRules({ defaultSetNeedsL3: true }),
  },
  {
    name: "cttimeout-attach-ignores-l3",
    description: "lets a rule of the other family take a policy (no l3num check in nf_ct_set_timeout)",
    overrides: {
      "cttimeout.attach": (params, state) => {
        const request = readAttachRequest(params);
        const policy = findByName(state.cttimeout, String.fromCharCode(...request.name));
        // Pretend the policy is of the rule's family for the check, then restore it.
        const ns = policy ? withPolicy(state.cttimeout, { ...policy, l3num: request.l3proto }) : state.cttimeout;
        const r = attach(ns, request);
        const after = policy ? findByName(r.ns, policy.name) : undefined;
        state.cttimeout = policy && after ? withPolicy(r.ns, { ...after, l3num: policy.l3num }) : r.ns;
        return r.ref === undefined ? { errno: r.errno } : { errno: r.errno, ref: r.ref };
      },
    },
  },
];
