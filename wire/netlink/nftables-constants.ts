// Numbers from include/uapi/linux/netfilter/nf_tables.h,
// include/uapi/linux/netfilter/nf_tables_compat.h and
// include/uapi/linux/netfilter.h (checked against the 6.x uapi headers).

// enum nf_tables_msg_types
export const NFT_MSG_NEWTABLE = 0;
export const NFT_MSG_GETTABLE = 1;
export const NFT_MSG_DELTABLE = 2;
export const NFT_MSG_NEWCHAIN = 3;
export const NFT_MSG_GETCHAIN = 4;
export const NFT_MSG_DELCHAIN = 5;
export const NFT_MSG_NEWRULE = 6;
export const NFT_MSG_GETRULE = 7;
export const NFT_MSG_DELRULE = 8;
export const NFT_MSG_NEWSET = 9;
export const NFT_MSG_GETSET = 10;
export const NFT_MSG_DELSET = 11;
export const NFT_MSG_NEWSETELEM = 12;
export const NFT_MSG_GETSETELEM = 13;
export const NFT_MSG_DELSETELEM = 14;
export const NFT_MSG_NEWGEN = 15;
export const NFT_MSG_GETGEN = 16;
export const NFT_MSG_TRACE = 17;
export const NFT_MSG_NEWOBJ = 18;
export const NFT_MSG_GETOBJ = 19;
export const NFT_MSG_DELOBJ = 20;
// Added in Linux 6.3, after NFT_MSG_GETRULE_RESET (25).
export const NFT_MSG_DESTROYTABLE = 26;
export const NFT_MSG_DESTROYCHAIN = 27;
export const NFT_MSG_DESTROYRULE = 28;

// enum nft_table_attributes / nft_table_flags
export const NFTA_TABLE_NAME = 1;
export const NFTA_TABLE_FLAGS = 2;
export const NFTA_TABLE_USE = 3;
export const NFTA_TABLE_HANDLE = 4;
export const NFTA_TABLE_PAD = 5;
export const NFTA_TABLE_USERDATA = 6;
export const NFTA_TABLE_OWNER = 7;
export const NFT_TABLE_F_DORMANT = 0x1;
export const NFT_TABLE_F_OWNER = 0x2;
export const NFT_TABLE_F_PERSIST = 0x4;

// enum nft_chain_attributes / nft_chain_flags
export const NFTA_CHAIN_TABLE = 1;
export const NFTA_CHAIN_HANDLE = 2;
export const NFTA_CHAIN_NAME = 3;
export const NFTA_CHAIN_HOOK = 4;
export const NFTA_CHAIN_POLICY = 5;
export const NFTA_CHAIN_USE = 6;
export const NFTA_CHAIN_TYPE = 7;
export const NFTA_CHAIN_COUNTERS = 8;
export const NFTA_CHAIN_PAD = 9;
export const NFTA_CHAIN_FLAGS = 10;
export const NFTA_CHAIN_ID = 11;
export const NFTA_CHAIN_USERDATA = 12;
export const NFT_CHAIN_BASE = 0x1;
export const NFT_CHAIN_HW_OFFLOAD = 0x2;
export const NFT_CHAIN_BINDING = 0x4;

// enum nft_hook_attributes
export const NFTA_HOOK_HOOKNUM = 1;
export const NFTA_HOOK_PRIORITY = 2;
export const NFTA_HOOK_DEV = 3;
export const NFTA_HOOK_DEVS = 4;
// enum nft_devices_attributes
export const NFTA_DEVICE_NAME = 1;

// enum nft_rule_attributes, nft_rule_compat_attributes, nft_rule_compat_flags
export const NFTA_RULE_TABLE = 1;
export const NFTA_RULE_CHAIN = 2;
export const NFTA_RULE_HANDLE = 3;
export const NFTA_RULE_EXPRESSIONS = 4;
export const NFTA_RULE_COMPAT = 5;
export const NFTA_RULE_PAD = 6;
export const NFTA_RULE_USERDATA = 7;
export const NFTA_RULE_POSITION = 8;
export const NFTA_RULE_ID = 9;
export const NFTA_RULE_POSITION_ID = 10;
export const NFTA_RULE_CHAIN_ID = 11;
export const NFTA_RULE_COMPAT_PROTO = 1;
export const NFTA_RULE_COMPAT_FLAGS = 2;
export const NFT_RULE_COMPAT_F_UNUSED = 1 << 0;
export const NFT_RULE_COMPAT_F_INV = 1 << 1;

// enum nft_list_attributes, nft_expr_attributes
export const NFTA_LIST_ELEM = 1;
export const NFTA_EXPR_NAME = 1;
export const NFTA_EXPR_DATA = 2;

// enum nft_data_attributes, nft_verdict_attributes
export const NFTA_DATA_VALUE = 1;
export const NFTA_DATA_VERDICT = 2;
export const NFTA_VERDICT_CODE = 1;
export const NFTA_VERDICT_CHAIN = 2;
export const NFTA_VERDICT_CHAIN_ID = 3;

// Verdict codes: include/uapi/linux/netfilter.h (NF_*) and enum nft_verdicts
export const NF_DROP = 0;
export const NF_ACCEPT = 1;
export const NF_STOLEN = 2;
export const NF_QUEUE = 3;
export const NF_REPEAT = 4;
export const NF_STOP = 5;
export const NFT_CONTINUE = -1;
export const NFT_BREAK = -2;
export const NFT_JUMP = -3;
export const NFT_GOTO = -4;
export const NFT_RETURN = -5;

// enum nft_registers: verdict register and the four 128-bit ones; 32-bit ones from 8.
export const NFT_REG_VERDICT = 0;
export const NFT_REG_1 = 1;
export const NFT_REG_2 = 2;
export const NFT_REG_3 = 3;
export const NFT_REG_4 = 4;
export const NFT_REG32_00 = 8;

// enum nft_immediate_attributes
export const NFTA_IMMEDIATE_DREG = 1;
export const NFTA_IMMEDIATE_DATA = 2;

// enum nft_counter_attributes
export const NFTA_COUNTER_BYTES = 1;
export const NFTA_COUNTER_PACKETS = 2;

// enum nft_meta_attributes and enum nft_meta_keys (the ones this suite uses)
export const NFTA_META_DREG = 1;
export const NFTA_META_KEY = 2;
export const NFTA_META_SREG = 3;
export const NFT_META_LEN = 0;
export const NFT_META_PROTOCOL = 1;
export const NFT_META_PRIORITY = 2;
export const NFT_META_MARK = 3;
export const NFT_META_IIF = 4;
export const NFT_META_OIF = 5;
export const NFT_META_IIFNAME = 6;
export const NFT_META_OIFNAME = 7;
export const NFT_META_IIFTYPE = 8;
export const NFT_META_OIFTYPE = 9;
export const NFT_META_NFTRACE = 12;
export const NFT_META_NFPROTO = 15;
export const NFT_META_L4PROTO = 16;
export const NFT_META_PKTTYPE = 19;

// enum nft_payload_attributes, nft_payload_bases
export const NFTA_PAYLOAD_DREG = 1;
export const NFTA_PAYLOAD_BASE = 2;
export const NFTA_PAYLOAD_OFFSET = 3;
export const NFTA_PAYLOAD_LEN = 4;
export const NFTA_PAYLOAD_SREG = 5;
export const NFT_PAYLOAD_LL_HEADER = 0;
export const NFT_PAYLOAD_NETWORK_HEADER = 1;
export const NFT_PAYLOAD_TRANSPORT_HEADER = 2;
export const NFT_PAYLOAD_INNER_HEADER = 3;

// enum nft_cmp_attributes, nft_cmp_ops
export const NFTA_CMP_SREG = 1;
export const NFTA_CMP_OP = 2;
export const NFTA_CMP_DATA = 3;
export const NFT_CMP_EQ = 0;
export const NFT_CMP_NEQ = 1;
export const NFT_CMP_LT = 2;
export const NFT_CMP_LTE = 3;
export const NFT_CMP_GT = 4;
export const NFT_CMP_GTE = 5;

// enum nft_bitwise_attributes, nft_bitwise_ops
export const NFTA_BITWISE_SREG = 1;
export const NFTA_BITWISE_DREG = 2;
export const NFTA_BITWISE_LEN = 3;
export const NFTA_BITWISE_MASK = 4;
export const NFTA_BITWISE_XOR = 5;
export const NFTA_BITWISE_OP = 6;
export const NFTA_BITWISE_DATA = 7;
export const NFT_BITWISE_MASK_XOR = 0; // called NFT_BITWISE_BOOL before 6.13
export const NFT_BITWISE_LSHIFT = 1;
export const NFT_BITWISE_RSHIFT = 2;

// enum nft_log_attributes (group be16, snaplen be32, qthreshold be16, level be32, flags be32)
export const NFTA_LOG_GROUP = 1;
export const NFTA_LOG_PREFIX = 2;
export const NFTA_LOG_SNAPLEN = 3;
export const NFTA_LOG_QTHRESHOLD = 4;
export const NFTA_LOG_LEVEL = 5;
export const NFTA_LOG_FLAGS = 6;

// enum nft_ct_attributes (dreg, key be32); enum nft_ct_keys
export const NFTA_CT_DREG = 1;
export const NFTA_CT_KEY = 2;
export const NFT_CT_STATE = 0;

// nf_tables_compat.h: enum nft_match_attributes, nft_target_attributes
export const NFTA_MATCH_NAME = 1;
export const NFTA_MATCH_REV = 2;
export const NFTA_MATCH_INFO = 3;
export const NFTA_TARGET_NAME = 1;
export const NFTA_TARGET_REV = 2;
export const NFTA_TARGET_INFO = 3;
// NFNL_SUBSYS_NFT_COMPAT revision query
export const NFNL_MSG_COMPAT_GET = 0;
export const NFTA_COMPAT_NAME = 1;
export const NFTA_COMPAT_REV = 2;
export const NFTA_COMPAT_TYPE = 3;

// enum nft_gen_attributes (NFT_MSG_NEWGEN)
export const NFTA_GEN_ID = 1;
export const NFTA_GEN_PROC_PID = 2;
export const NFTA_GEN_PROC_NAME = 3;

// enum nft_trace_attributes, nft_trace_types
export const NFTA_TRACE_TABLE = 1;
export const NFTA_TRACE_CHAIN = 2;
export const NFTA_TRACE_RULE_HANDLE = 3;
export const NFTA_TRACE_TYPE = 4;
export const NFTA_TRACE_VERDICT = 5;
export const NFTA_TRACE_ID = 6;
export const NFTA_TRACE_LL_HEADER = 7;
export const NFTA_TRACE_NETWORK_HEADER = 8;
export const NFTA_TRACE_TRANSPORT_HEADER = 9;
export const NFTA_TRACE_IIF = 10;
export const NFTA_TRACE_IIFTYPE = 11;
export const NFTA_TRACE_OIF = 12;
export const NFTA_TRACE_OIFTYPE = 13;
export const NFTA_TRACE_MARK = 14;
export const NFTA_TRACE_NFPROTO = 15;
export const NFTA_TRACE_POLICY = 16;
export const NFT_TRACETYPE_UNSPEC = 0;
export const NFT_TRACETYPE_POLICY = 1;
export const NFT_TRACETYPE_RETURN = 2;
export const NFT_TRACETYPE_RULE = 3;

// Hook numbers: enum nf_inet_hooks and enum nf_dev_hooks (include/uapi/linux/netfilter.h)
export const NF_INET_PRE_ROUTING = 0;
export const NF_INET_LOCAL_IN = 1;
export const NF_INET_FORWARD = 2;
export const NF_INET_LOCAL_OUT = 3;
export const NF_INET_POST_ROUTING = 4;
export const NF_INET_INGRESS = 5;
export const NF_NETDEV_INGRESS = 0;
export const NF_NETDEV_EGRESS = 1;
