// The five cttimeout message handlers (net/netfilter/nfnetlink_cttimeout.c),
// called by nfnetlink after the attribute parse. Each returns the errno the
// handler returns (EINTR for a started dump: no ack), the data messages it
// unicasts, and the namespace after it.
import { NLM_F_DUMP, NLM_F_EXCL, NLM_F_REPLACE } from "../../wire/netlink/message.js";
import {
  CTA_TIMEOUT_DATA,
  CTA_TIMEOUT_L3PROTO,
  CTA_TIMEOUT_L4PROTO,
  CTA_TIMEOUT_NAME,
  IPCTNL_MSG_TIMEOUT_DEFAULT_GET,
  IPCTNL_MSG_TIMEOUT_DEFAULT_SET,
  IPCTNL_MSG_TIMEOUT_DELETE,
  IPCTNL_MSG_TIMEOUT_GET,
  IPCTNL_MSG_TIMEOUT_NEW,
  encodeDefaultsMessage,
  encodeDoneMessage,
  encodePolicyMessage,
} from "../../wire/netlink/cttimeout.js";
import { be16At, be32At, parseData, type Table } from "./attribute-policy.js";
import { EBUSY, EEXIST, EINTR, EINVAL, ENOENT, EOPNOTSUPP } from "../../sys/errno.js";
import {
  findByName,
  nameBytes,
  nameKey,
  withPolicy,
  type CttimeoutNamespace,
  type TimeoutPolicy,
} from "./namespace.js";
import { findTracker, isSupported, storedSeconds, type L4Tracker } from "./protocols.js";
import type { CttimeoutRules } from "./rules.js";
import type { RuleTrace } from "../rules.js";
import { CTTIMEOUT_RULES } from "./rule-catalogue.js";

export interface MessageContext {
  flags: number;
  seq: number;
  /** nlmsg_pid written in replies (0: the protocol's replies are compared with it zeroed). */
  portid: number;
  rules: CttimeoutRules;
  /** Where the rules applied go (absent: not recorded). */
  trace?: RuleTrace;
}

export interface HandlerResult {
  ns: CttimeoutNamespace;
  errno: number;
  /** Messages unicast before the ack (GET's answer, DEFAULT_GET's, a dump with its NLMSG_DONE). */
  data: Uint8Array[];
}

type RuleId = keyof typeof CTTIMEOUT_RULES;

/** A handler's answer, with the rule that gave it recorded. */
function done(
  c: Pick<MessageContext, "trace">,
  rule: RuleId,
  ns: CttimeoutNamespace,
  errno: number,
  data: Uint8Array[] = [],
): HandlerResult {
  c.trace?.hit(CTTIMEOUT_RULES[rule], errno ? `errno ${errno}` : undefined);
  return { ns, errno, data };
}

/** ctnl_timeout_parse_policy(): the tracker's defaults, overridden by DATA's attributes. */
function parsePolicy(
  ns: CttimeoutNamespace,
  tracker: L4Tracker,
  data: Uint8Array,
  hz: number,
): { errno: number } | { timeouts: number[] } {
  const parsed = parseData(data, tracker.count);
  if ("errno" in parsed) return parsed;
  const timeouts = [...ns.defaults[tracker.defaults]];
  for (let type = 1; type <= tracker.count; type++) {
    const v = parsed.tb[type];
    if (v) timeouts[type - 1] = storedSeconds(be32At(v), hz);
  }
  return { timeouts };
}

function dataPairs(timeouts: readonly number[]): [number, number][] {
  return timeouts.map((s, i) => [i + 1, s]);
}

export function policyMessage(p: TimeoutPolicy, c: Pick<MessageContext, "seq" | "portid" | "rules">): Uint8Array {
  return encodePolicyMessage(
    {
      name: nameBytes(p.name),
      l3num: p.l3num,
      l4proto: p.l4proto,
      use: (p.refcount + c.rules.useOffset) >>> 0,
      data: dataPairs(p.timeouts),
    },
    // A bound user socket's portid is never 0: NLM_F_MULTI.
    { seq: c.seq, portid: c.portid, multi: c.rules.multiOnData },
  );
}

/** cttimeout_new_timeout() */
function newTimeout(ns: CttimeoutNamespace, tb: Table, c: MessageContext): HandlerResult {
  const nameAttr = tb[CTA_TIMEOUT_NAME];
  const l3Attr = tb[CTA_TIMEOUT_L3PROTO];
  const l4Attr = tb[CTA_TIMEOUT_L4PROTO];
  const dataAttr = tb[CTA_TIMEOUT_DATA];
  if (!nameAttr || !l3Attr || !l4Attr || !dataAttr) return done(c, "new-missing-attribute", ns, EINVAL);
  const name = nameKey(nameAttr);
  const l3num = be16At(l3Attr);
  const l4num = l4Attr[0]!;
  // The 3.4..4.x order looked the tracker up first.
  if (c.rules.l4BeforeName && !isSupported(l4num)) return done(c, "new-unsupported-l4", ns, EOPNOTSUPP);
  const matching = findByName(ns, name);
  if (matching) {
    if (c.flags & NLM_F_EXCL && c.rules.exclHonoured) return done(c, "new-exists-excl", ns, EEXIST);
    if (c.flags & NLM_F_REPLACE) {
      // "You cannot replace one timeout policy by another of different kind"
      if (matching.l3num !== l3num || matching.l4proto !== l4num) return done(c, "new-replace-other-kind", ns, EINVAL);
      const parsed = parsePolicy(ns, findTracker(matching.l4proto), dataAttr, c.rules.hz);
      if ("errno" in parsed) return done(c, "data-invalid", ns, parsed.errno);
      return done(c, "new-replace", withPolicy(ns, { ...matching, timeouts: parsed.timeouts }), 0);
    }
    return done(c, "new-exists-busy", ns, EBUSY);
  }
  if (!isSupported(l4num)) return done(c, "new-unsupported-l4", ns, EOPNOTSUPP);
  const tracker = findTracker(l4num);
  const parsed = parsePolicy(ns, tracker, dataAttr, c.rules.hz);
  if ("errno" in parsed && c.rules.parseBeforeLink) return done(c, "data-invalid", ns, parsed.errno);
  const timeouts = "errno" in parsed ? [...ns.defaults[tracker.defaults]] : parsed.timeouts;
  const policy: TimeoutPolicy = { id: ns.nextPolicyId, name, l3num, l4proto: l4num, timeouts, refcount: 1 };
  const next = { ...ns, policies: [...ns.policies, policy], nextPolicyId: ns.nextPolicyId + 1 };
  return done(c, "errno" in parsed ? "data-invalid" : "new-created", next, "errno" in parsed ? parsed.errno : 0);
}

/** cttimeout_get_timeout(): a dump (NLM_F_ROOT or NLM_F_MATCH), or one policy by name. */
function getTimeout(ns: CttimeoutNamespace, tb: Table, c: MessageContext): HandlerResult {
  if (c.flags & NLM_F_DUMP) {
    // ctnl_timeout_dump() in list order, then netlink_dump_done(); netlink_dump_start() returns -EINTR: no ack.
    const data = ns.policies.map((p) => policyMessage(p, c));
    data.push(encodeDoneMessage({ seq: c.seq, portid: c.portid }));
    return done(c, "get-dump", ns, EINTR, data);
  }
  const nameAttr = tb[CTA_TIMEOUT_NAME];
  if (!nameAttr) return done(c, "get-missing-name", ns, EINVAL);
  const p = findByName(ns, nameKey(nameAttr));
  return p ? done(c, "get-found", ns, 0, [policyMessage(p, c)]) : done(c, "get-enoent", ns, ENOENT);
}

/** cttimeout_del_timeout() with ctnl_timeout_try_del(): refcount_dec_if_one or EBUSY. */
function deleteTimeout(ns: CttimeoutNamespace, tb: Table, c: MessageContext): HandlerResult {
  const removable = (p: TimeoutPolicy) => p.refcount === 1 || !c.rules.deleteNeedsUnused;
  const nameAttr = tb[CTA_TIMEOUT_NAME];
  if (!nameAttr) {
    const firstBusy = c.rules.deleteAllStopsAtBusy ? ns.policies.findIndex((p) => !removable(p)) : -1;
    const kept = ns.policies.filter((p, i) => !removable(p) || (firstBusy >= 0 && i > firstBusy));
    return done(c, "delete-all", { ...ns, policies: kept }, 0);
  }
  const p = findByName(ns, nameKey(nameAttr));
  if (!p) return done(c, "delete-enoent", ns, ENOENT);
  if (!removable(p)) return done(c, "delete-busy", ns, EBUSY);
  return done(c, "delete-removed", { ...ns, policies: ns.policies.filter((q) => q.id !== p.id) }, 0);
}

/** cttimeout_default_set(): L4PROTO and DATA (L3PROTO no longer, measured on 6.18). */
function defaultSet(ns: CttimeoutNamespace, tb: Table, c: MessageContext): HandlerResult {
  const l4Attr = tb[CTA_TIMEOUT_L4PROTO];
  const dataAttr = tb[CTA_TIMEOUT_DATA];
  if ((c.rules.defaultSetNeedsL3 && !tb[CTA_TIMEOUT_L3PROTO]) || !l4Attr || !dataAttr)
    return done(c, "default-set-missing-attribute", ns, EINVAL);
  const l4num = l4Attr[0]!;
  if (!isSupported(l4num)) return done(c, "default-set-unsupported-l4", ns, EOPNOTSUPP);
  const tracker = findTracker(l4num);
  const parsed = parsePolicy(ns, tracker, dataAttr, c.rules.hz);
  if ("errno" in parsed) return done(c, "data-invalid", ns, parsed.errno);
  return done(
    c,
    "default-set-updated",
    { ...ns, defaults: { ...ns.defaults, [tracker.defaults]: parsed.timeouts } },
    0,
  );
}

/** cttimeout_default_get(): answers with type DEFAULT_SET, L3PROTO echoing the request's. */
function defaultGet(ns: CttimeoutNamespace, tb: Table, c: MessageContext): HandlerResult {
  const l3Attr = tb[CTA_TIMEOUT_L3PROTO];
  const l4Attr = tb[CTA_TIMEOUT_L4PROTO];
  if (!l3Attr || !l4Attr) return done(c, "default-get-missing-attribute", ns, EINVAL);
  const l4num = l4Attr[0]!;
  if (!isSupported(l4num)) return done(c, "default-get-unsupported-l4", ns, EOPNOTSUPP);
  const tracker = findTracker(l4num);
  const bytes = encodeDefaultsMessage(
    { l3num: be16At(l3Attr), l4proto: l4num, data: dataPairs(ns.defaults[tracker.defaults]) },
    { seq: c.seq, portid: c.portid, multi: c.rules.multiOnData },
  );
  return done(c, "default-get-answered", ns, 0, [bytes]);
}

export const HANDLERS: Record<number, (ns: CttimeoutNamespace, tb: Table, c: MessageContext) => HandlerResult> = {
  [IPCTNL_MSG_TIMEOUT_NEW]: newTimeout,
  [IPCTNL_MSG_TIMEOUT_GET]: getTimeout,
  [IPCTNL_MSG_TIMEOUT_DELETE]: deleteTimeout,
  [IPCTNL_MSG_TIMEOUT_DEFAULT_SET]: defaultSet,
  [IPCTNL_MSG_TIMEOUT_DEFAULT_GET]: defaultGet,
};
