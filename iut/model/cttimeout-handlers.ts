// The cttimeout area's protocol ops answered by the reference model, on the
// namespace kept in the model IUT's state.
import { CTNL_TIMEOUT_NAME_MAX } from "../../wire/netlink/cttimeout.js";
import { NFPROTO_IPV4, NFPROTO_IPV6 } from "../../wire/netlink/nfnetlink.js";
import { fromHex, toHex } from "../../wire/hex.js";
import { receive, UnmodelledMessage } from "../../model/cttimeout/receive.js";
import { cttimeoutRules, type CttimeoutRules } from "../../model/cttimeout/rules.js";
import { attach, detach, type AttachRequest } from "../../model/cttimeout/users.js";
import type { Params } from "../protocol.js";
import { RequestReader } from "../request-fields.js";
import type { OpHandler } from "./checksum-handlers.js";

export function readNetlinkRequest(params: Params): { messages: Uint8Array[]; reader: RequestReader } {
  const reader = new RequestReader("netlink", params);
  const list = params.messages;
  if (!Array.isArray(list)) throw reader.invalid(`"messages" must be an array of hex strings`);
  return {
    messages: list.map((m, i) => {
      try {
        return fromHex(m, `"messages"[${i}]`);
      } catch (error) {
        throw reader.invalid((error as Error).message);
      }
    }),
    reader,
  };
}

/** The user a rule can express: a family of the CT target, a name that fits timeout[32] without a NUL. */
export function readAttachRequest(params: Params): AttachRequest {
  const reader = new RequestReader("cttimeout.attach", params);
  const name = params.name;
  if (typeof name !== "string") throw reader.invalid(`"name" must be a string`);
  const bytes = new TextEncoder().encode(name);
  if (bytes.includes(0)) throw reader.invalid("a name with a NUL cannot be given to --timeout");
  if (bytes.length > CTNL_TIMEOUT_NAME_MAX)
    throw reader.invalid(`a name of ${bytes.length} bytes does not fit xt_ct_target_info_v1.timeout[32]`);
  const l3proto = reader.integer("l3proto", 0, 0xffff);
  if (l3proto !== NFPROTO_IPV4 && l3proto !== NFPROTO_IPV6)
    throw reader.invalid(`the CT target exists for l3proto 2 (ipv4) and 10 (ipv6) only, not ${l3proto}`);
  return { name: bytes, l3proto, l4proto: reader.integer("l4proto", 0, 255) };
}

export function readDetachRequest(params: Params): string {
  return new RequestReader("cttimeout.detach", params).string("ref");
}

/** The handlers under `rules` (mutants pass rules of their own). */
export function cttimeoutHandlersWith(rules: CttimeoutRules): Record<string, OpHandler> {
  return {
    netlink: (params, state) => {
      const { messages, reader } = readNetlinkRequest(params);
      let ns = state.cttimeout;
      const replies: string[][] = [];
      try {
        for (const m of messages) {
          const r = receive(ns, m, rules);
          ns = r.ns;
          replies.push(r.replies.map(toHex));
        }
      } catch (error) {
        if (error instanceof UnmodelledMessage) throw reader.invalid(error.message);
        throw error;
      }
      state.cttimeout = ns;
      return { replies };
    },
    "cttimeout.attach": (params, state) => {
      const r = attach(state.cttimeout, readAttachRequest(params));
      state.cttimeout = r.ns;
      return r.ref === undefined ? { errno: r.errno } : { errno: r.errno, ref: r.ref };
    },
    "cttimeout.detach": (params, state) => {
      const r = detach(state.cttimeout, readDetachRequest(params));
      state.cttimeout = r.ns;
      return { errno: r.errno };
    },
  };
}

export function cttimeoutHandlers(profile: string | undefined): Record<string, OpHandler> {
  return cttimeoutHandlersWith(cttimeoutRules(profile ?? "linux"));
}
