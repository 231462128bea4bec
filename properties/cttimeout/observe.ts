// Reading the IUT's state through the protocol itself: a dump of the policies
// and DEFAULT_GET of every tracker, decoded strictly.
import type { Iut } from "../../iut/iut.js";
import { TRACKERS } from "../../model/cttimeout/protocols.js";
import { fromHex, toHex } from "../../wire/hex.js";
import { attrBe16, attrU8 } from "../../wire/netlink/attributes.js";
import {
  CTA_TIMEOUT_L3PROTO,
  CTA_TIMEOUT_L4PROTO,
  IPCTNL_MSG_TIMEOUT_DEFAULT_GET,
  IPCTNL_MSG_TIMEOUT_GET,
  decodeDefaultsMessage,
  decodePolicyMessage,
  encodeCttimeoutRequest,
} from "../../wire/netlink/cttimeout.js";
import { decodeMessages, NLM_F_DUMP, NLM_F_REQUEST, NLMSG_DONE } from "../../wire/netlink/message.js";
import { iutNetlink } from "./iut-calls.js";

/** Sequence numbers the observations use, apart from the generated messages'. */
const OBSERVE_SEQ = 0x7fff0000;

export interface ListedPolicy {
  /** The name's bytes as hex. */
  name: string;
  l3num: number;
  l4proto: number;
  use: number;
  data: [number, number][];
}

export const DUMP_REQUEST = toHex(
  encodeCttimeoutRequest({
    msg: IPCTNL_MSG_TIMEOUT_GET,
    flags: NLM_F_REQUEST | NLM_F_DUMP,
    seq: OBSERVE_SEQ,
    attributes: [],
  }),
);

const DEFAULT_REQUESTS = TRACKERS.map((t, i) =>
  toHex(
    encodeCttimeoutRequest({
      msg: IPCTNL_MSG_TIMEOUT_DEFAULT_GET,
      flags: NLM_F_REQUEST,
      seq: OBSERVE_SEQ + 1 + i,
      attributes: [attrBe16(CTA_TIMEOUT_L3PROTO, 2), attrU8(CTA_TIMEOUT_L4PROTO, t.l4proto)],
    }),
  ),
);

/** The policies a dump lists, in order; throws when the answer is not a well-formed dump. */
export function decodeDump(replies: readonly string[]): ListedPolicy[] {
  const messages = replies.flatMap((r) => decodeMessages(fromHex(r)));
  const last = messages[messages.length - 1];
  if (!last || last.type !== NLMSG_DONE) throw new Error("the dump did not end with NLMSG_DONE");
  return messages.slice(0, -1).map((m) => {
    const p = decodePolicyMessage(m);
    return { name: toHex(p.name), l3num: p.l3num, l4proto: p.l4proto, use: p.use, data: p.data };
  });
}

export async function iutDump(iut: Iut): Promise<ListedPolicy[]> {
  const [replies] = await iutNetlink(iut, [DUMP_REQUEST]);
  return decodeDump(replies!);
}

export interface ObservedState {
  policies: ListedPolicy[];
  /** DEFAULT_GET's DATA per tracker name. */
  defaults: Record<string, [number, number][]>;
}

export async function iutState(iut: Iut): Promise<ObservedState> {
  const replies = await iutNetlink(iut, [DUMP_REQUEST, ...DEFAULT_REQUESTS]);
  const defaults: Record<string, [number, number][]> = {};
  TRACKERS.forEach((t, i) => {
    const m = decodeMessages(fromHex(replies[i + 1]![0] ?? ""));
    defaults[t.name] = decodeDefaultsMessage(m[0]!).data;
  });
  return { policies: decodeDump(replies[0]!), defaults };
}

export const nameHex = (name: string): string => toHex(new TextEncoder().encode(name));
