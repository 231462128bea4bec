// The rules behind checksum.fill, as iptables-nft would install
// `iptables -t mangle -A POSTROUTING -j CHECKSUM --checksum-fill` (an nft_compat
// target in a table named mangle, priority -150), applied to packets carrying
// FILL_MARK: local senders set it on their socket, and a mangle PREROUTING rule
// sets it on packets arriving from veth1 to be forwarded. Unmarked packets pass
// untouched, so a test can see the partial value the sender left.
import * as N from "../../../wire/netlink/nftables.js";
import { NFPROTO_IPV4, NFPROTO_IPV6 } from "../../../wire/netlink/nfnetlink.js";
import type { NftSession } from "../nft-session.js";

export const FILL_MARK = 0x6e66636b;
const FILL_CHAIN = "nfconform_fill";
const MARK_CHAIN = "nfconform_mark";

function hostU32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, true);
  return out;
}

export function installFillRules(session: NftSession, veth0Index: number): void {
  for (const family of [NFPROTO_IPV4, NFPROTO_IPV6]) {
    const outcome = session.apply([
      N.newTable({ family, name: "mangle" }),
      N.newChain({ family, table: "mangle", name: MARK_CHAIN, type: "filter", hook: { hooknum: N.NF_INET_PRE_ROUTING, priority: -150 }, policy: N.NF_ACCEPT }),
      N.newRule({
        family,
        table: "mangle",
        chain: MARK_CHAIN,
        expressions: [
          { kind: "meta", key: N.NFT_META_IIF, dreg: N.NFT_REG_1 },
          { kind: "cmp", sreg: N.NFT_REG_1, op: N.NFT_CMP_EQ, data: hostU32(veth0Index) },
          { kind: "immediate", dreg: N.NFT_REG_1, data: { value: hostU32(FILL_MARK) } },
          { kind: "meta-set", key: N.NFT_META_MARK, sreg: N.NFT_REG_1 },
        ],
      }),
      N.newChain({ family, table: "mangle", name: FILL_CHAIN, type: "filter", hook: { hooknum: N.NF_INET_POST_ROUTING, priority: -150 }, policy: N.NF_ACCEPT }),
      N.newRule({
        family,
        table: "mangle",
        chain: FILL_CHAIN,
        expressions: [
          { kind: "meta", key: N.NFT_META_MARK, dreg: N.NFT_REG_1 },
          { kind: "cmp", sreg: N.NFT_REG_1, op: N.NFT_CMP_EQ, data: hostU32(FILL_MARK) },
          { kind: "counter" },
          { kind: "target", name: "CHECKSUM", rev: N.XT_CHECKSUM_REVISION, info: N.checksumTargetInfo(N.XT_CHECKSUM_OP_FILL) },
        ],
      }),
    ]);
    if (!outcome.committed) throw new Error(`installing the CHECKSUM rules failed: errno ${outcome.errnos.join(", ")}`);
  }
}
