// The cttimeout area's protocol ops answered by the reference model, on the
// namespace kept in the model IUT's state.
import { toHex } from "../../wire/hex.js";
import { receive, UnmodelledMessage } from "../../model/cttimeout/receive.js";
import { cttimeoutRules, type CttimeoutRules } from "../../model/cttimeout/rules.js";
import { attach, detach } from "../../model/cttimeout/users.js";
import {
  cttimeoutAttach,
  cttimeoutDetach,
  netlink,
  readAttachRequest,
  readDetachRequest,
  readNetlinkRequest,
} from "../ops/cttimeout.js";
import { invalid } from "../ops/op.js";
import type { OpHandler } from "./model-state.js";
import type { RuleTrace } from "../../model/rules.js";

/** The handlers under `rules` (mutants pass rules of their own). */
export function cttimeoutHandlersWith(rules: CttimeoutRules, trace?: RuleTrace): Record<string, OpHandler> {
  return {
    netlink: (params, state) => {
      const messages = readNetlinkRequest(params);
      let ns = state.cttimeout;
      const replies: string[][] = [];
      try {
        for (const m of messages) {
          const r = receive(ns, m, rules, 0, trace);
          ns = r.ns;
          replies.push(r.replies.map(toHex));
        }
      } catch (error) {
        if (error instanceof UnmodelledMessage) throw invalid(netlink.op, error.message);
        throw error;
      }
      state.cttimeout = ns;
      return netlink.writeReply({ replies });
    },
    "cttimeout.attach": (params, state) => {
      const r = attach(state.cttimeout, readAttachRequest(params), trace);
      state.cttimeout = r.ns;
      return cttimeoutAttach.writeReply(r.ref === undefined ? { errno: r.errno } : { errno: r.errno, ref: r.ref });
    },
    "cttimeout.detach": (params, state) => {
      const r = detach(state.cttimeout, readDetachRequest(params), trace);
      state.cttimeout = r.ns;
      return cttimeoutDetach.writeReply({ errno: r.errno });
    },
  };
}

export function cttimeoutHandlers(profile: string | undefined, trace?: RuleTrace): Record<string, OpHandler> {
  return cttimeoutHandlersWith(cttimeoutRules(profile ?? "linux"), trace);
}
