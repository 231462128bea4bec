// rtnetlink requests (NETLINK_ROUTE; include/uapi/linux/rtnetlink.h,
// if_link.h, if_addr.h, neighbour.h, veth.h): links, addresses, routes and
// neighbours, each a fixed header then attributes in host byte order. The
// fields each request sets are those iproute2's `ip` sets for the same command
// (ip/iplink.c, ipaddress.c, iproute.c, ipneigh.c), so a request here and its
// `ip -batch` line (sys/veth.ts ipBatchLine) make the same change.
import {
  AttributeTable,
  attrBinary,
  attrLe32,
  attrString,
  attrU8,
  nlattrNested,
  readString,
  readU8,
} from "./attributes.js";
import { concatBytes, viewOf } from "./bytes.js";
import { NetlinkDecodeError } from "./errors.js";
import {
  encodeMessage,
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  NLM_F_REQUEST,
  NLMSG_HDRLEN,
  type NetlinkMessage,
} from "./message.js";

export const NETLINK_ROUTE = 0;

export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_NEWNEIGH = 28;
export const RTM_DELNEIGH = 29;

export const IFF_UP = 0x1;
export const IFF_PROMISC = 0x100;

// enum IFLA_* (if_link.h)
export const IFLA_ADDRESS = 1;
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_MASTER = 10;
export const IFLA_LINKINFO = 18;
export const IFLA_INFO_KIND = 1;
export const IFLA_INFO_DATA = 2;
export const IFLA_INFO_SLAVE_KIND = 4;
export const IFLA_INFO_SLAVE_DATA = 5;
/** veth.h: the peer's struct ifinfomsg and attributes. */
export const VETH_INFO_PEER = 1;
export const IFLA_BR_FORWARD_DELAY = 1;
export const IFLA_BR_STP_STATE = 5;
export const IFLA_BR_MCAST_SNOOPING = 23;
export const IFLA_BRPORT_LEARNING = 8;
export const IFLA_BRPORT_UNICAST_FLOOD = 9;

// if_addr.h
export const IFA_ADDRESS = 1;
export const IFA_LOCAL = 2;
export const IFA_F_NODAD = 0x02;

// rtnetlink.h: struct rtmsg fields and attributes
export const RTA_DST = 1;
export const RTA_OIF = 4;
export const RTA_GATEWAY = 5;
export const RTA_TABLE = 15;
export const RT_TABLE_UNSPEC = 0;
export const RT_TABLE_MAIN = 254;
export const RTPROT_BOOT = 3;
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
export const RT_SCOPE_NOWHERE = 255;
export const RTN_UNICAST = 1;

// neighbour.h
export const NDA_DST = 1;
export const NDA_LLADDR = 2;
export const NUD_PERMANENT = 0x80;

export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_INET6 = 10;

/** One request, before its sequence number is known. */
export interface RtRequest {
  type: number;
  /** Besides NLM_F_REQUEST | NLM_F_ACK, which every request carries. */
  flags: number;
  payload: Uint8Array;
}

export function encodeRtRequest(r: RtRequest, seq: number): Uint8Array {
  return encodeMessage({ type: r.type, flags: NLM_F_REQUEST | NLM_F_ACK | r.flags, seq, pid: 0, payload: r.payload });
}

/** struct ifinfomsg { u8 family, pad; u16 type; s32 index; u32 flags, change; } */
function ifinfomsg(index = 0, flags = 0, change = 0): Uint8Array {
  const b = new Uint8Array(16);
  const v = viewOf(b);
  v.setInt32(4, index, true);
  v.setUint32(8, flags, true);
  v.setUint32(12, change, true);
  return b;
}

/** A link's own settings, as `ip link add`/`set` puts them. */
export interface LinkAttributes {
  name: string;
  /** ifi_index of a link made with it (`index N`); 0: the kernel picks. */
  index?: number;
  mac?: Uint8Array;
  mtu?: number;
}

function linkAttributes(l: LinkAttributes): Uint8Array[] {
  return [
    attrString(IFLA_IFNAME, l.name),
    ...(l.mac ? [attrBinary(IFLA_ADDRESS, l.mac)] : []),
    ...(l.mtu !== undefined ? [attrLe32(IFLA_MTU, l.mtu)] : []),
  ];
}

const NEW_LINK = NLM_F_CREATE | NLM_F_EXCL;

/** `ip link add NAME ... type veth peer name PEER ...`. */
export function newVeth(link: LinkAttributes, peer: LinkAttributes): RtRequest {
  const peerInfo = concatBytes([ifinfomsg(peer.index), ...linkAttributes(peer)]);
  const info = nlattrNested(IFLA_LINKINFO, [
    attrString(IFLA_INFO_KIND, "veth"),
    nlattrNested(IFLA_INFO_DATA, [attrBinary(VETH_INFO_PEER, peerInfo)]),
  ]);
  return {
    type: RTM_NEWLINK,
    flags: NEW_LINK,
    payload: concatBytes([ifinfomsg(link.index), ...linkAttributes(link), info]),
  };
}

/**
 * `ip link add NAME [index N] address MAC type bridge stp_state 0 forward_delay 0
 * [mcast_snooping 0|1]`: mcastSnooping unset leaves the kernel's default (on).
 */
export function newBridge(link: LinkAttributes, bridge: { mcastSnooping?: boolean } = {}): RtRequest {
  const info = nlattrNested(IFLA_LINKINFO, [
    attrString(IFLA_INFO_KIND, "bridge"),
    nlattrNested(IFLA_INFO_DATA, [
      attrLe32(IFLA_BR_STP_STATE, 0),
      attrLe32(IFLA_BR_FORWARD_DELAY, 0),
      ...(bridge.mcastSnooping !== undefined ? [attrU8(IFLA_BR_MCAST_SNOOPING, bridge.mcastSnooping ? 1 : 0)] : []),
    ]),
  ]);
  return {
    type: RTM_NEWLINK,
    flags: NEW_LINK,
    payload: concatBytes([ifinfomsg(link.index), ...linkAttributes(link), info]),
  };
}

/** Changes to an existing link, found by name (`ip link set dev NAME ...`). */
export interface LinkChange {
  /** Sets IFF_UP (true) or clears it (false). */
  up?: boolean;
  promisc?: boolean;
  mac?: Uint8Array;
  mtu?: number;
  /** ifindex of the master (`master M`). */
  master?: number;
  /** Bridge port switches (`type bridge_slave learning .. flood ..`). */
  bridgePort?: { learning: boolean; unicastFlood: boolean };
}

export function setLink(name: string, c: LinkChange): RtRequest {
  let flags = 0;
  let change = 0;
  if (c.up !== undefined) {
    change |= IFF_UP;
    if (c.up) flags |= IFF_UP;
  }
  if (c.promisc !== undefined) {
    change |= IFF_PROMISC;
    if (c.promisc) flags |= IFF_PROMISC;
  }
  const attributes = [
    attrString(IFLA_IFNAME, name),
    ...(c.mac ? [attrBinary(IFLA_ADDRESS, c.mac)] : []),
    ...(c.mtu !== undefined ? [attrLe32(IFLA_MTU, c.mtu)] : []),
    ...(c.master !== undefined ? [attrLe32(IFLA_MASTER, c.master)] : []),
    ...(c.bridgePort
      ? [
          nlattrNested(IFLA_LINKINFO, [
            attrString(IFLA_INFO_SLAVE_KIND, "bridge"),
            nlattrNested(IFLA_INFO_SLAVE_DATA, [
              attrU8(IFLA_BRPORT_LEARNING, c.bridgePort.learning ? 1 : 0),
              attrU8(IFLA_BRPORT_UNICAST_FLOOD, c.bridgePort.unicastFlood ? 1 : 0),
            ]),
          ]),
        ]
      : []),
  ];
  return { type: RTM_NEWLINK, flags: 0, payload: concatBytes([ifinfomsg(0, flags, change), ...attributes]) };
}

export function delLink(name: string): RtRequest {
  return { type: RTM_DELLINK, flags: 0, payload: concatBytes([ifinfomsg(), attrString(IFLA_IFNAME, name)]) };
}

/** An address of a link: 4 or 16 bytes and a prefix length. */
export interface Prefix {
  address: Uint8Array;
  length: number;
}

const familyOf = (address: Uint8Array): number => (address.length === 4 ? AF_INET : AF_INET6);

/** `ip addr add|del CIDR dev DEV` (IPv6 with `nodad`): IFA_LOCAL and IFA_ADDRESS both the address, as ip sends them. */
export function address(kind: "add" | "del", ifindex: number, p: Prefix): RtRequest {
  const family = familyOf(p.address);
  const b = new Uint8Array(8);
  b[0] = family;
  b[1] = p.length;
  // ip's default_scope(): host for 127.0.0.0/8, universe for everything else.
  if (kind === "add") {
    if (family === AF_INET6) b[2] = IFA_F_NODAD;
    if (family === AF_INET && p.address[0] === 127) b[3] = RT_SCOPE_HOST;
  }
  viewOf(b).setUint32(4, ifindex, true);
  return {
    type: kind === "add" ? RTM_NEWADDR : RTM_DELADDR,
    flags: kind === "add" ? NLM_F_CREATE | NLM_F_EXCL : 0,
    payload: concatBytes([b, attrBinary(IFA_LOCAL, p.address), attrBinary(IFA_ADDRESS, p.address)]),
  };
}

export interface RouteSpec {
  dst: Prefix;
  gateway?: Uint8Array;
  ifindex?: number;
  /** Default: main. */
  table?: number;
}

/**
 * `ip route replace|del DST [via GW] [dev DEV] [table T]`: a unicast route of
 * protocol boot; an IPv4 route with no gateway is link-scoped, as ip makes it.
 */
export function route(kind: "replace" | "del", r: RouteSpec): RtRequest {
  const family = familyOf(r.dst.address);
  const table = r.table ?? RT_TABLE_MAIN;
  const b = new Uint8Array(12);
  b[0] = family;
  b[1] = r.dst.length;
  b[4] = table < 256 ? table : RT_TABLE_UNSPEC;
  if (kind === "replace") {
    b[5] = RTPROT_BOOT;
    b[6] = family === AF_INET && !r.gateway ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
    b[7] = RTN_UNICAST;
  } else b[6] = RT_SCOPE_NOWHERE;
  return {
    type: kind === "replace" ? RTM_NEWROUTE : RTM_DELROUTE,
    flags: kind === "replace" ? NLM_F_CREATE | NLM_F_REPLACE : 0,
    payload: concatBytes([
      b,
      ...(table >= 256 ? [attrLe32(RTA_TABLE, table)] : []),
      ...(r.dst.length > 0 ? [attrBinary(RTA_DST, r.dst.address)] : []),
      ...(r.gateway ? [attrBinary(RTA_GATEWAY, r.gateway)] : []),
      ...(r.ifindex !== undefined ? [attrLe32(RTA_OIF, r.ifindex)] : []),
    ]),
  };
}

/** `ip neigh replace IP lladdr MAC nud permanent dev DEV`, or `ip neigh del IP dev DEV` (no mac). */
export function neighbour(kind: "replace" | "del", ifindex: number, ip: Uint8Array, mac?: Uint8Array): RtRequest {
  const b = new Uint8Array(12);
  b[0] = familyOf(ip);
  const v = viewOf(b);
  v.setInt32(4, ifindex, true);
  v.setUint16(8, NUD_PERMANENT, true);
  return {
    type: kind === "replace" ? RTM_NEWNEIGH : RTM_DELNEIGH,
    flags: kind === "replace" ? NLM_F_CREATE | NLM_F_REPLACE : 0,
    payload: concatBytes([b, attrBinary(NDA_DST, ip), ...(mac ? [attrBinary(NDA_LLADDR, mac)] : [])]),
  };
}

export const RTM_GETLINK = 18;
export const IFLA_OPERSTATE = 16;
/** RFC 2863 operstate (if.h IF_OPER_*): UP once linkwatch has seen the carrier and activated the queues. */
export const IF_OPER_UP = 6;

/** `ip link show dev NAME`: answered with one RTM_NEWLINK (or an error). */
export function getLink(name: string): RtRequest {
  return { type: RTM_GETLINK, flags: 0, payload: concatBytes([ifinfomsg(), attrString(IFLA_IFNAME, name)]) };
}

export interface LinkState {
  index: number;
  flags: number;
  name?: string;
  operstate?: number;
}

/** The fields of an RTM_NEWLINK message (a link dump entry or getLink's answer) that callers wait on. */
export function decodeLink(m: NetlinkMessage): LinkState {
  const base = (m.offset ?? 0) + NLMSG_HDRLEN;
  if (m.type !== RTM_NEWLINK)
    throw new NetlinkDecodeError("ifinfomsg", base, `message type ${m.type} is not RTM_NEWLINK (${RTM_NEWLINK})`);
  if (m.payload.length < 16)
    throw new NetlinkDecodeError(
      "ifinfomsg",
      base,
      `payload of ${m.payload.length} bytes is shorter than ifinfomsg (16)`,
    );
  const v = viewOf(m.payload);
  const t = AttributeTable.decode(m.payload.subarray(16), base + 16, "RTM_NEWLINK");
  const state: LinkState = { index: v.getInt32(4, true), flags: v.getUint32(8, true) };
  const name = t.get(IFLA_IFNAME);
  if (name) state.name = readString(name, "IFLA_IFNAME");
  const oper = t.get(IFLA_OPERSTATE);
  if (oper) state.operstate = readU8(oper, "IFLA_OPERSTATE");
  return state;
}
