// rtnetlink requests field by field against the uapi structs (ifaddrmsg,
// rtmsg, ifinfomsg), and the link answer's decoding. That the kernel makes of
// each kind what `ip` makes of its line is test/sys/rtnetlink.test.ts.
import { describe, expect, it } from "vitest";
import { toHex } from "../../../wire/hex.js";
import { NetlinkDecodeError } from "../../../wire/netlink/errors.js";
import { decodeMessages, encodeMessage } from "../../../wire/netlink/message.js";
import * as R from "../../../wire/netlink/rtnetlink.js";
import { attrString, nlattr } from "../../../wire/netlink/attributes.js";
import { concatBytes } from "../../../wire/netlink/bytes.js";

const v6 = (last: number) => Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), last]);

describe("rtnetlink requests", () => {
  it("addr add 2001:db8::1/128 dev #2 nodad: ifaddrmsg then IFA_LOCAL, IFA_ADDRESS", () => {
    const r = R.address("add", 2, { address: v6(1), length: 128 });
    expect(r.type).toBe(R.RTM_NEWADDR);
    expect(toHex(r.payload.subarray(0, 8))).toBe("0a80020002000000");
    expect(toHex(r.payload.subarray(8))).toBe(`14000200${toHex(v6(1))}14000100${toHex(v6(1))}`);
  });

  it("route replace ::/0 via fe80::1 dev #2: main table, boot, universe, unicast; no RTA_DST for /0", () => {
    const gw = Uint8Array.from([0xfe, 0x80, ...new Array(13).fill(0), 1]);
    const r = R.route("replace", { dst: { address: new Uint8Array(16), length: 0 }, gateway: gw, ifindex: 2 });
    expect(toHex(r.payload.subarray(0, 12))).toBe("0a000000fe030001" + "00000000");
    expect(toHex(r.payload.subarray(12))).toBe(`14000500${toHex(gw)}0800040002000000`);
    // A table past 255 goes in RTA_TABLE, the header saying RT_TABLE_UNSPEC.
    const t = R.route("del", { dst: { address: Uint8Array.of(10, 0, 0, 0), length: 8 }, table: 300 });
    expect(toHex(t.payload.subarray(0, 12))).toBe("020800000000ff0000000000");
    expect(toHex(t.payload.subarray(12, 20))).toBe("08000f002c010000");
  });

  it("link set up changes IFF_UP alone; a veth's peer is an ifinfomsg with its own attributes", () => {
    const up = R.setLink("veth0", { up: true });
    expect(toHex(up.payload.subarray(8, 16))).toBe("0100000001000000");
    const down = R.setLink("veth0", { up: false });
    expect(toHex(down.payload.subarray(8, 16))).toBe("0000000001000000");
    const veth = R.newVeth({ name: "a" }, { name: "b", index: 7 });
    // ifinfomsg { family 0, type 0, index 7, flags 0, change 0 }, then IFLA_IFNAME "b", inside VETH_INFO_PEER.
    const peer = concatBytes([
      Uint8Array.of(0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
      attrString(R.IFLA_IFNAME, "b"),
    ]);
    expect(toHex(veth.payload)).toContain(toHex(nlattr(R.VETH_INFO_PEER, peer)));
  });

  it("decodes a link's index, flags, name and operstate, and names a short one", () => {
    const payload = concatBytes([
      Uint8Array.of(0, 0, 1, 0, 5, 0, 0, 0, 0x43, 0x10, 1, 0, 0, 0, 0, 0),
      attrString(R.IFLA_IFNAME, "veth0"),
      nlattr(R.IFLA_OPERSTATE, Uint8Array.of(R.IF_OPER_UP)),
    ]);
    const [m] = decodeMessages(encodeMessage({ type: R.RTM_NEWLINK, flags: 0, seq: 1, pid: 0, payload }));
    expect(R.decodeLink(m!)).toEqual({ index: 5, flags: 0x11043, name: "veth0", operstate: R.IF_OPER_UP });
    const [short] = decodeMessages(
      encodeMessage({ type: R.RTM_NEWLINK, flags: 0, seq: 1, pid: 0, payload: new Uint8Array(8) }),
    );
    expect(() => R.decodeLink(short!)).toThrow(NetlinkDecodeError);
  });
});
