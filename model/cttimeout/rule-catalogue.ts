// The cttimeout model's named rules: how nfnetlink takes a datagram apart and
// acks it, each handler's error paths and successes, and the timeout users
// (xt_CT rules) that hold a policy.
import { ruleCatalogue } from "../rules.js";

const SRC = "net/netfilter/nfnetlink_cttimeout.c";
const NFNL = "net/netfilter/nfnetlink.c";
const XT_CT = "net/netfilter/xt_CT.c xt_ct_set_timeout()";

export const CTTIMEOUT_RULES = ruleCatalogue({
  "datagram-dropped": {
    summary: "a datagram shorter than a header, or whose first length is inconsistent, is dropped without a reply",
    citation: `${NFNL} nfnetlink_rcv()`,
  },
  "not-a-request": {
    summary: "a message without NLM_F_REQUEST, or a control message, is not handled (acked only if asked)",
    citation: "net/netlink/af_netlink.c netlink_rcv_skb()",
  },
  "no-nfgenmsg": {
    summary: "a message too short for struct nfgenmsg is skipped with errno 0",
    citation: `${NFNL} nfnetlink_rcv_msg() ("All the messages must at least contain nfgenmsg")`,
  },
  "unknown-command": {
    summary: "a command number past IPCTNL_MSG_TIMEOUT_MAX: EINVAL",
    citation: `${NFNL} nfnetlink_find_client()`,
  },
  "attribute-policy": {
    summary:
      "an attribute that breaks cttimeout_nla_policy (NAME unterminated EINVAL or too long ERANGE, short L3/L4/DATA ERANGE)",
    citation: `${SRC} cttimeout_nla_policy; lib/nlattr.c validate_nla()`,
  },
  "ack-requested": {
    summary: "errno 0 is acked only under NLM_F_ACK",
    citation: "net/netlink/af_netlink.c netlink_rcv_skb()",
  },
  "error-acked": {
    summary: "an errno is always answered with NLMSG_ERROR (NLM_F_CAPPED, the request's header)",
    citation: "net/netlink/af_netlink.c netlink_ack()",
  },
  "new-missing-attribute": {
    summary: "NEW without NAME, L3PROTO, L4PROTO or DATA: EINVAL",
    citation: `${SRC} cttimeout_new_timeout()`,
  },
  "new-exists-excl": {
    summary: "NEW of an existing name under NLM_F_EXCL: EEXIST",
    citation: `${SRC} cttimeout_new_timeout()`,
  },
  "new-replace-other-kind": {
    summary: "NEW NLM_F_REPLACE with another L3/L4 than the policy's: EINVAL",
    citation: `${SRC} cttimeout_new_timeout() ("You cannot replace one timeout policy by another of different kind")`,
  },
  "new-replace": {
    summary: "NEW NLM_F_REPLACE of an existing name updates its timeouts",
    citation: `${SRC} cttimeout_new_timeout()`,
  },
  "new-exists-busy": {
    summary: "NEW of an existing name without NLM_F_EXCL or NLM_F_REPLACE: EBUSY",
    citation: `${SRC} cttimeout_new_timeout()`,
  },
  "new-unsupported-l4": {
    summary: "NEW for a protocol without a tracker: EOPNOTSUPP",
    citation: `${SRC} cttimeout_new_timeout(), nf_ct_l4proto_find()`,
  },
  "data-invalid": {
    summary: "a DATA attribute shorter than 4 bytes: ERANGE (NEW links the policy first and keeps it)",
    citation: `${SRC} ctnl_timeout_parse_policy(); nla_parse_nested()`,
  },
  "new-created": {
    summary: "NEW of a new name links a policy with refcount 1",
    citation: `${SRC} cttimeout_new_timeout()`,
  },
  "get-dump": {
    summary: "GET with NLM_F_DUMP lists every policy in order, then NLMSG_DONE, and no ack",
    citation: `${SRC} ctnl_timeout_dump(); netlink_dump_start() -EINTR`,
  },
  "get-missing-name": { summary: "GET without NAME: EINVAL", citation: `${SRC} cttimeout_get_timeout()` },
  "get-found": { summary: "GET of a name answers with the policy", citation: `${SRC} cttimeout_get_timeout()` },
  "get-enoent": { summary: "GET of an unknown name: ENOENT", citation: `${SRC} cttimeout_get_timeout()` },
  "delete-all": {
    summary: "DELETE without NAME removes every unused policy and skips those in use",
    citation: `${SRC} cttimeout_del_timeout(), ctnl_timeout_try_del()`,
  },
  "delete-enoent": { summary: "DELETE of an unknown name: ENOENT", citation: `${SRC} cttimeout_del_timeout()` },
  "delete-busy": {
    summary: "DELETE of a policy in use: EBUSY",
    citation: `${SRC} ctnl_timeout_try_del() (refcount_dec_if_one)`,
  },
  "delete-removed": { summary: "DELETE of an unused policy removes it", citation: `${SRC} ctnl_timeout_try_del()` },
  "default-set-missing-attribute": {
    summary: "DEFAULT_SET without L4PROTO or DATA: EINVAL",
    citation: `${SRC} cttimeout_default_set()`,
  },
  "default-set-unsupported-l4": {
    summary: "DEFAULT_SET for a protocol without a tracker: EOPNOTSUPP",
    citation: `${SRC} cttimeout_default_set()`,
  },
  "default-set-updated": {
    summary: "DEFAULT_SET replaces the tracker's default timeouts",
    citation: `${SRC} cttimeout_default_set()`,
  },
  "default-get-missing-attribute": {
    summary: "DEFAULT_GET without L3PROTO or L4PROTO: EINVAL",
    citation: `${SRC} cttimeout_default_get()`,
  },
  "default-get-unsupported-l4": {
    summary: "DEFAULT_GET for a protocol without a tracker: EOPNOTSUPP",
    citation: `${SRC} cttimeout_default_get()`,
  },
  "default-get-answered": {
    summary: "DEFAULT_GET answers the tracker's defaults as a DEFAULT_SET message",
    citation: `${SRC} cttimeout_default_get()`,
  },
  "attach-no-timeout": {
    summary: "an xt_CT rule with an empty timeout name holds no policy",
    citation: `${XT_CT} (if (info->timeout[0]))`,
  },
  "attach-name-too-long": {
    summary: "a timeout name of CTNL_TIMEOUT_NAME_MAX bytes or more: ENAMETOOLONG",
    citation: XT_CT,
  },
  "attach-no-l4": {
    summary: "a timeout without an L4 protocol in the rule: EINVAL",
    citation: "net/netfilter/xt_CT.c xt_ct_find_proto()",
  },
  "attach-enoent": { summary: "a timeout name no policy has: ENOENT", citation: `${XT_CT}, nf_ct_timeout_find_get()` },
  "attach-other-protocol": {
    summary: "a policy of another L3 or L4 protocol than the rule's: EINVAL",
    citation: `${XT_CT} ("Timeout policy ... can only be used by L3/L4 protocol number %d")`,
  },
  "attach-held": { summary: "the rule holds the policy: its refcount (USE) goes up by one", citation: XT_CT },
  "detach-enoent": {
    summary: "detaching a user that is gone: ENOENT",
    citation: "docs/adapter-protocol.md cttimeout.detach",
  },
  "detach-released": {
    summary: "the rule's deletion releases its policy: refcount down by one",
    citation: "net/netfilter/xt_CT.c xt_ct_tg_destroy(), nf_ct_timeout_put()",
  },
});
