// The classic (CLASSIC) cases of the Linux kernel's BPF test suite, as data:
// for each, its program, its packet bytes and the value it must return for
// each packet length. Source: lib/test_bpf.c of the Linux kernel (GPL-2.0,
// "Copyright (c) 2011-2014 PLUMgrid"), the first block of tests[] ("TAX" to
// "RET_A"), read in a 2025 mainline copy (LD_VLAN_TAG expects the whole tci
// and LD_VLAN_TAG_PRESENT SKB_VLAN_PRESENT, as since 5.0) and, for the cases
// before LD_PAYLOAD_OFF, in the copy at torvalds/linux 02ab695bb37e. Only
// these facts are kept (names, programs, data, expected results; no code);
// the skb every case runs on is populate_skb()'s, written once below as
// bpf.run metadata. Not imported: the classic cases of later blocks and the
// generated BPF_MAXINSNS programs (fill_helper).
import { SKF_AD_OFF as AD, ANCILLARY, SKF_LL_OFF as LL, SKF_NET_OFF as NET } from "../../model/bpf/opcodes.js";
import type { SkbMetaJson } from "../../iut/ops/bpf.js";

export interface TestBpfCase {
  /** test_bpf.c's descr. */
  name: string;
  program: [number, number, number, number][];
  /** .data: the packet's first bytes (the rest of MAX_DATA is 0). */
  data: number[];
  /** .test: [data_size, result] per subtest. */
  runs: [number, number][];
}

export const TEST_BPF_SOURCE = "linux lib/test_bpf.c tests[] (CLASSIC), GPL-2.0; facts only";

/** populate_skb(): the metadata of every test skb, with the network header at min(size, ETH_HLEN). */
export function testBpfMeta(size: number): SkbMetaJson {
  return {
    protocol: 0x0800, // htons(ETH_P_IP)
    pkttype: 3, // SKB_TYPE
    mark: 0x1234aaaa, // SKB_MARK
    rxhash: 0x1234aaab, // SKB_HASH
    queue: 123, // SKB_QUEUE_MAP
    vlan: { proto: 0x0800, tci: 0xffff }, // SKB_VLAN_TCI, vlan_proto htons(ETH_P_IP)
    device: { ifindex: 577, hatype: 588 }, // SKB_DEV_IFINDEX, SKB_DEV_TYPE
    mac: "", // skb_reset_mac_header(): the MAC header is at the data
    network: Math.min(size, 14), // skb_set_network_header(skb, min(size, ETH_HLEN))
  };
}

/**
 * populate_skb()'s metadata as a kernel receive path can give it (the kernel
 * IUT's veth, iut/linux/bpf/rx-plan.ts), for judging the cases on a kernel
 * against the model with the same metadata (skb->hash kept: the sender's tc
 * program sets it). Changed: queue_mapping 0 (measured 0 on receive whatever
 * the sender's transmit queue), hatype 1 (a veth
 * is ARPHRD_ETHER), vlan_proto 802.1Q (skb_vlan_untag() takes only 802.1Q and
 * 802.1ad tags); and a packet shorter than an Ethernet header is no frame of
 * its own, so it follows a 14-byte header to an otherhost MAC (the network
 * header at 0) instead of carrying the MAC header at its start.
 */
export function testBpfKernelMeta(size: number): SkbMetaJson {
  const meta = { ...testBpfMeta(size), queue: 0, device: { ifindex: 577, hatype: 1 } };
  meta.vlan = { proto: 0x8100, tci: 0xffff };
  if (size >= 14) return meta;
  return { ...meta, mac: "0200000000cc0200000000bb0800", network: 0 };
}

/** The packet of one subtest: the case's data, zero-filled, cut to data_size. */
export function testBpfPacket(c: TestBpfCase, size: number): Uint8Array {
  const p = new Uint8Array(size);
  p.set(c.data.slice(0, size));
  return p;
}

const MAX_K = 0xffffffff;
const anc = (name: keyof typeof ANCILLARY) => (AD + ANCILLARY[name]) >>> 0;
const PORT22_FRAME = [
  0x10, 0xbf, 0x48, 0xd6, 0x43, 0xd6, 0x3c, 0x07, 0x54, 0x43, 0xe5, 0x76, 0x08, 0x00, 0x45, 0x10, 0x00, 0x64, 0x75,
  0xb5, 0x40, 0x00, 0x40, 0x06, 0xad, 0x2e, 0x0a, 0x01, 0x01, 0x95, 0x0a, 0x01, 0x02, 0x0a, 0xc2, 0x24, 0x00, 0x16,
];
const NET_DATA = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3];
const PKTTYPE_3 = [0x20, 0, 0, anc("pkttype")] as [number, number, number, number];

export const TEST_BPF_CLASSIC: readonly TestBpfCase[] = [
  {
    name: "TAX",
    program: [
      [0x00, 0, 0, 1],
      [0x07, 0, 0, 0],
      [0x00, 0, 0, 2],
      [0x0c, 0, 0, 0],
      [0x84, 0, 0, 0],
      [0x07, 0, 0, 0],
      [0x80, 0, 0, 0],
      [0x0c, 0, 0, 0],
      [0x07, 0, 0, 0],
      [0x50, 0, 0, 1],
      [0x16, 0, 0, 0],
    ],
    data: [10, 20, 30, 40, 50],
    runs: [
      [2, 10],
      [3, 20],
      [4, 30],
    ],
  },
  {
    name: "TXA",
    program: [
      [0x81, 0, 0, 0],
      [0x87, 0, 0, 0],
      [0x0c, 0, 0, 0],
      [0x16, 0, 0, 0],
    ],
    data: [10, 20, 30, 40, 50],
    runs: [
      [1, 2],
      [3, 6],
      [4, 8],
    ],
  },
  {
    name: "ADD_SUB_MUL_K",
    program: [
      [0x00, 0, 0, 1],
      [0x04, 0, 0, 2],
      [0x01, 0, 0, 3],
      [0x1c, 0, 0, 0],
      [0x04, 0, 0, 0xffffffff],
      [0x24, 0, 0, 3],
      [0x16, 0, 0, 0],
    ],
    data: [],
    runs: [[0, 0xfffffffd]],
  },
  {
    name: "DIV_KX",
    program: [
      [0x00, 0, 0, 8],
      [0x34, 0, 0, 2],
      [0x07, 0, 0, 0],
      [0x00, 0, 0, 0xffffffff],
      [0x3c, 0, 0, 0],
      [0x07, 0, 0, 0],
      [0x00, 0, 0, 0xffffffff],
      [0x34, 0, 0, 0x70000000],
      [0x0c, 0, 0, 0],
      [0x16, 0, 0, 0],
    ],
    data: [],
    runs: [[0, 0x40000001]],
  },
  {
    name: "AND_OR_LSH_K",
    program: [
      [0x00, 0, 0, 0xff],
      [0x54, 0, 0, 0xf0],
      [0x64, 0, 0, 27],
      [0x07, 0, 0, 0],
      [0x00, 0, 0, 0xf],
      [0x44, 0, 0, 0xf0],
      [0x0c, 0, 0, 0],
      [0x16, 0, 0, 0],
    ],
    data: [],
    runs: [
      [0, 0x800000ff],
      [1, 0x800000ff],
    ],
  },
  {
    name: "LD_IMM_0",
    program: [
      [0x00, 0, 0, 0],
      [0x15, 1, 0, 0],
      [0x06, 0, 0, 0],
      [0x06, 0, 0, 1],
    ],
    data: [],
    runs: [[1, 1]],
  },
  {
    name: "LD_IND",
    program: [
      [0x81, 0, 0, 0],
      [0x48, 0, 0, MAX_K],
      [0x06, 0, 0, 1],
    ],
    data: [],
    runs: [
      [1, 0],
      [10, 0],
      [60, 0],
    ],
  },
  {
    name: "LD_ABS",
    program: [
      [0x20, 0, 0, 1000],
      [0x06, 0, 0, 1],
    ],
    data: [],
    runs: [
      [1, 0],
      [10, 0],
      [60, 0],
    ],
  },
  {
    name: "LD_ABS_LL",
    program: [
      [0x30, 0, 0, LL],
      [0x07, 0, 0, 0],
      [0x30, 0, 0, LL + 1],
      [0x0c, 0, 0, 0],
      [0x16, 0, 0, 0],
    ],
    data: [1, 2, 3],
    runs: [
      [1, 0],
      [2, 3],
    ],
  },
  {
    name: "LD_IND_LL",
    program: [
      [0x00, 0, 0, LL - 1],
      [0x81, 0, 0, 0],
      [0x0c, 0, 0, 0],
      [0x07, 0, 0, 0],
      [0x50, 0, 0, 0],
      [0x16, 0, 0, 0],
    ],
    data: [1, 2, 3, 0xff],
    runs: [
      [1, 1],
      [3, 3],
      [4, 0xff],
    ],
  },
  {
    name: "LD_ABS_NET",
    program: [
      [0x30, 0, 0, NET],
      [0x07, 0, 0, 0],
      [0x30, 0, 0, NET + 1],
      [0x0c, 0, 0, 0],
      [0x16, 0, 0, 0],
    ],
    data: NET_DATA,
    runs: [
      [15, 0],
      [16, 3],
    ],
  },
  {
    name: "LD_IND_NET",
    program: [
      [0x00, 0, 0, NET - 15],
      [0x81, 0, 0, 0],
      [0x0c, 0, 0, 0],
      [0x07, 0, 0, 0],
      [0x50, 0, 0, 0],
      [0x16, 0, 0, 0],
    ],
    data: NET_DATA,
    runs: [
      [14, 0],
      [15, 1],
      [17, 3],
    ],
  },
  {
    name: "LD_PKTTYPE",
    program: [
      PKTTYPE_3,
      [0x15, 1, 0, 3],
      [0x06, 0, 0, 1],
      PKTTYPE_3,
      [0x15, 1, 0, 3],
      [0x06, 0, 0, 1],
      PKTTYPE_3,
      [0x15, 1, 0, 3],
      [0x06, 0, 0, 1],
      [0x16, 0, 0, 0],
    ],
    data: [],
    runs: [
      [1, 3],
      [10, 3],
    ],
  },
  {
    name: "LD_MARK",
    program: [
      [0x20, 0, 0, anc("mark")],
      [0x16, 0, 0, 0],
    ],
    data: [],
    runs: [
      [1, 0x1234aaaa],
      [10, 0x1234aaaa],
    ],
  },
  {
    name: "LD_RXHASH",
    program: [
      [0x20, 0, 0, anc("rxhash")],
      [0x16, 0, 0, 0],
    ],
    data: [],
    runs: [
      [1, 0x1234aaab],
      [10, 0x1234aaab],
    ],
  },
  {
    name: "LD_QUEUE",
    program: [
      [0x20, 0, 0, anc("queue")],
      [0x16, 0, 0, 0],
    ],
    data: [],
    runs: [
      [1, 123],
      [10, 123],
    ],
  },
  {
    name: "LD_PROTOCOL",
    program: [
      [0x30, 0, 0, 1],
      [0x15, 1, 0, 20],
      [0x06, 0, 0, 0],
      [0x20, 0, 0, anc("protocol")],
      [0x07, 0, 0, 0],
      [0x30, 0, 0, 2],
      [0x15, 1, 0, 30],
      [0x06, 0, 0, 0],
      [0x87, 0, 0, 0],
      [0x16, 0, 0, 0],
    ],
    data: [10, 20, 30],
    runs: [
      [10, 0x0800],
      [100, 0x0800],
    ],
  },
  {
    name: "LD_VLAN_TAG",
    program: [
      [0x20, 0, 0, anc("vlan_tag")],
      [0x16, 0, 0, 0],
    ],
    data: [],
    runs: [
      [1, 0xffff],
      [10, 0xffff],
    ],
  },
  {
    name: "LD_VLAN_TAG_PRESENT",
    program: [
      [0x20, 0, 0, anc("vlan_tag_present")],
      [0x16, 0, 0, 0],
    ],
    data: [],
    runs: [
      [1, 1],
      [10, 1],
    ],
  },
  {
    name: "LD_IFINDEX",
    program: [
      [0x20, 0, 0, anc("ifindex")],
      [0x16, 0, 0, 0],
    ],
    data: [],
    runs: [
      [1, 577],
      [10, 577],
    ],
  },
  {
    name: "LD_HATYPE",
    program: [
      [0x20, 0, 0, anc("hatype")],
      [0x16, 0, 0, 0],
    ],
    data: [],
    runs: [
      [1, 588],
      [10, 588],
    ],
  },
  {
    name: "LD_CPU",
    program: [
      [0x20, 0, 0, anc("cpu")],
      [0x07, 0, 0, 0],
      [0x20, 0, 0, anc("cpu")],
      [0x1c, 0, 0, 0],
      [0x16, 0, 0, 0],
    ],
    data: [],
    runs: [
      [1, 0],
      [10, 0],
    ],
  },
  {
    name: "LD_NLATTR",
    program: [
      [0x01, 0, 0, 2],
      [0x87, 0, 0, 0],
      [0x01, 0, 0, 3],
      [0x20, 0, 0, anc("nlattr")],
      [0x16, 0, 0, 0],
    ],
    data: [0xff, 0xff, 4, 0, 2, 0, 4, 0, 3, 0], // little-endian attribute headers (x86_64)
    runs: [
      [4, 0],
      [20, 6],
    ],
  },
  {
    name: "LD_NLATTR_NEST",
    program: [
      [0x00, 0, 0, 2],
      [0x01, 0, 0, 3],
      ...Array.from({ length: 8 }, (_, i): [number, number, number, number][] =>
        i === 0
          ? [[0x20, 0, 0, anc("nlattr_nest")]]
          : [
              [0x00, 0, 0, 2],
              [0x20, 0, 0, anc("nlattr_nest")],
            ],
      ).flat(),
      [0x16, 0, 0, 0],
    ],
    data: [0xff, 0xff, 12, 0, 1, 0, 4, 0, 2, 0, 4, 0, 3, 0],
    runs: [
      [4, 0],
      [20, 10],
    ],
  },
  {
    name: "LD_PAYLOAD_OFF",
    program: [
      ...Array.from({ length: 5 }, (): [number, number, number, number] => [0x20, 0, 0, anc("pay_offset")]),
      [0x16, 0, 0, 0],
    ],
    data: [
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00, 0x45, 0x00, 0x00, 0x54, 0xac, 0x8b, 0x40, 0x00, 0x40, 0x01, 0x90,
      0x1b, 0x7f, 0x00, 0x00, 0x01,
    ],
    runs: [
      [30, 0],
      [100, 42],
    ],
  },
  {
    name: "LD_ANC_XOR",
    program: [
      [0x00, 0, 0, 10],
      [0x01, 0, 0, 300],
      [0x20, 0, 0, anc("alu_xor_x")],
      [0x16, 0, 0, 0],
    ],
    data: [],
    runs: [
      [4, 10 ^ 300],
      [20, 10 ^ 300],
    ],
  },
  {
    name: "SPILL_FILL",
    program: [
      [0x81, 0, 0, 0],
      [0x00, 0, 0, 2],
      [0x74, 0, 0, 1],
      [0xac, 0, 0, 0],
      [0x02, 0, 0, 1],
      [0xa4, 0, 0, 0x80000000],
      [0x02, 0, 0, 2],
      [0x03, 0, 0, 15],
      [0x61, 0, 0, 1],
      [0x60, 0, 0, 2],
      [0xac, 0, 0, 0],
      [0x61, 0, 0, 15],
      [0xac, 0, 0, 0],
      [0x16, 0, 0, 0],
    ],
    data: [],
    runs: [
      [1, 0x80000001],
      [2, 0x80000002],
      [60, (0x80000000 ^ 60) >>> 0],
    ],
  },
  {
    name: "JEQ",
    program: [
      [0x81, 0, 0, 0],
      [0x30, 0, 0, 2],
      [0x1d, 0, 1, 0],
      [0x06, 0, 0, 1],
      [0x06, 0, 0, MAX_K],
    ],
    data: [3, 3, 3, 3, 3],
    runs: [
      [1, 0],
      [3, 1],
      [4, MAX_K],
    ],
  },
  {
    name: "JGT",
    program: [
      [0x81, 0, 0, 0],
      [0x30, 0, 0, 2],
      [0x2d, 0, 1, 0],
      [0x06, 0, 0, 1],
      [0x06, 0, 0, MAX_K],
    ],
    data: [4, 4, 4, 3, 3],
    runs: [
      [2, 0],
      [3, 1],
      [4, MAX_K],
    ],
  },
  {
    name: "JGE (jt 0), test 1",
    program: [
      [0x81, 0, 0, 0],
      [0x30, 0, 0, 2],
      [0x3d, 0, 1, 0],
      [0x06, 0, 0, 1],
      [0x06, 0, 0, MAX_K],
    ],
    data: [4, 4, 4, 3, 3],
    runs: [
      [2, 0],
      [3, 1],
      [4, 1],
    ],
  },
  {
    name: "JGE (jt 0), test 2",
    program: [
      [0x81, 0, 0, 0],
      [0x30, 0, 0, 2],
      [0x3d, 0, 1, 0],
      [0x06, 0, 0, 1],
      [0x06, 0, 0, MAX_K],
    ],
    data: [4, 4, 5, 3, 3],
    runs: [
      [4, 1],
      [5, 1],
      [6, MAX_K],
    ],
  },
  {
    name: "JGE",
    program: [
      [0x81, 0, 0, 0],
      [0x50, 0, 0, MAX_K],
      [0x35, 1, 0, 1],
      [0x06, 0, 0, 10],
      [0x35, 1, 0, 2],
      [0x06, 0, 0, 20],
      [0x35, 1, 0, 3],
      [0x06, 0, 0, 30],
      [0x35, 1, 0, 4],
      [0x06, 0, 0, 40],
      [0x06, 0, 0, MAX_K],
    ],
    data: [1, 2, 3, 4, 5],
    runs: [
      [1, 20],
      [3, 40],
      [5, MAX_K],
    ],
  },
  {
    name: "JSET",
    program: [
      [0x05, 0, 0, 0],
      [0x05, 1, 1, 1],
      [0x05, 0, 0, 0],
      [0x05, 0, 0, 0],
      [0x81, 0, 0, 0],
      [0x87, 0, 0, 0],
      [0x14, 0, 0, 4],
      [0x07, 0, 0, 0],
      [0x40, 0, 0, 0],
      [0x45, 0, 1, 1],
      [0x06, 0, 0, 10],
      [0x45, 0, 1, 0x80000000],
      [0x06, 0, 0, 20],
      [0x45, 1, 0, 0xffffff],
      [0x06, 0, 0, 30],
      [0x45, 1, 0, 0xffffff],
      [0x06, 0, 0, 30],
      [0x45, 1, 0, 0xffffff],
      [0x06, 0, 0, 30],
      [0x45, 1, 0, 0xffffff],
      [0x06, 0, 0, 30],
      [0x45, 1, 0, 0xffffff],
      [0x06, 0, 0, 30],
      [0x06, 0, 0, MAX_K],
    ],
    data: [0, 0xaa, 0x55, 1],
    runs: [
      [4, 10],
      [5, 20],
      [6, MAX_K],
    ],
  },
  {
    name: "tcpdump port 22",
    program: [
      [0x28, 0, 0, 12],
      [0x15, 0, 8, 0x86dd],
      [0x30, 0, 0, 20],
      [0x15, 2, 0, 0x84],
      [0x15, 1, 0, 0x6],
      [0x15, 0, 17, 0x11],
      [0x28, 0, 0, 54],
      [0x15, 14, 0, 22],
      [0x28, 0, 0, 56],
      [0x15, 12, 13, 22],
      [0x15, 0, 12, 0x0800],
      [0x30, 0, 0, 23],
      [0x15, 2, 0, 0x84],
      [0x15, 1, 0, 0x6],
      [0x15, 0, 8, 0x11],
      [0x28, 0, 0, 20],
      [0x45, 6, 0, 0x1fff],
      [0xb1, 0, 0, 14],
      [0x48, 0, 0, 14],
      [0x15, 2, 0, 22],
      [0x48, 0, 0, 16],
      [0x15, 0, 1, 22],
      [0x06, 0, 0, 0xffff],
      [0x06, 0, 0, 0],
    ],
    data: PORT22_FRAME,
    runs: [
      [10, 0],
      [30, 0],
      [100, 65535],
    ],
  },
  {
    name: "tcpdump complex",
    program: [
      [0x28, 0, 0, 12],
      [0x15, 30, 0, 0x86dd],
      [0x15, 0, 29, 0x800],
      [0x30, 0, 0, 23],
      [0x15, 0, 27, 0x6],
      [0x28, 0, 0, 20],
      [0x45, 25, 0, 0x1fff],
      [0xb1, 0, 0, 14],
      [0x48, 0, 0, 14],
      [0x15, 2, 0, 22],
      [0x48, 0, 0, 16],
      [0x15, 0, 20, 22],
      [0x28, 0, 0, 16],
      [0x02, 0, 0, 1],
      [0x30, 0, 0, 14],
      [0x54, 0, 0, 0xf],
      [0x64, 0, 0, 2],
      [0x07, 0, 0, 0x5],
      [0x60, 0, 0, 1],
      [0x1c, 0, 0, 0],
      [0x02, 0, 0, 5],
      [0xb1, 0, 0, 14],
      [0x50, 0, 0, 26],
      [0x54, 0, 0, 0xf0],
      [0x74, 0, 0, 2],
      [0x07, 0, 0, 0x9],
      [0x60, 0, 0, 5],
      [0x1d, 4, 0, 0],
      [0x80, 0, 0, 0],
      [0x25, 1, 0, 0x73],
      [0x35, 1, 0, 0xfc23ac00],
      [0x06, 0, 0, 0xffff],
      [0x06, 0, 0, 0],
    ],
    data: PORT22_FRAME,
    runs: [
      [10, 0],
      [30, 0],
      [100, 65535],
    ],
  },
  {
    name: "RET_A",
    program: [
      [0x87, 0, 0, 0],
      [0x16, 0, 0, 0],
    ],
    data: [],
    runs: [
      [1, 0],
      [2, 0],
    ],
  },
];
