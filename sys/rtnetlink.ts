// NetOps applied as rtnetlink messages from this process: what IpCommand does
// with an `ip -batch` run, without forking (a fork of the Node process plus
// ip's start cost more CPU than the whole set-up in the kernel). One message
// at a time, each acknowledged, so a failure names its op. Links are named in
// the message (rtnl_newlink() finds an existing one by IFLA_IFNAME); the
// address, route and neighbour requests take an ifindex, looked up by name
// in the calling thread's namespace.
import { isIPv6 } from "node:net";
import {
  decodeErrorMessage,
  decodeMessages,
  extAckMessage,
  NLMSG_ERROR,
  type NetlinkMessage,
} from "../wire/netlink/message.js";
import * as R from "../wire/netlink/rtnetlink.js";
import { errnoName, ifNameToIndex } from "./libc.js";
import { parseIPv4, parseIPv6 } from "./inet-addr.js";
import { assertPrivateNetns } from "./namespace.js";
import { NetlinkSocket } from "./netlink-socket.js";
import { sleepSync } from "./sleep.js";
import { ipBatchLine, macBytes, type NetConfigurator, type NetOp } from "./veth.js";

const ACK_TIMEOUT_MS = 5000;

function ipBytes(text: string): Uint8Array {
  return isIPv6(text) ? parseIPv6(text) : parseIPv4(text);
}

/** "2001:db8::1/128", "10.0.0.1/24", "::/0"; no length: a host prefix. */
function prefix(cidr: string): R.Prefix {
  const [addr = "", len] = cidr.split("/");
  const address = ipBytes(addr);
  return { address, length: len === undefined ? address.length * 8 : Number(len) };
}

function request(op: NetOp): R.RtRequest {
  switch (op.kind) {
    case "veth-add":
      return R.newVeth(
        { name: op.name, index: op.index, mac: op.mac ? macBytes(op.mac) : undefined, mtu: op.mtu },
        { name: op.peer, index: op.peerIndex, mac: op.peerMac ? macBytes(op.peerMac) : undefined, mtu: op.mtu },
      );
    case "bridge-add":
      return R.newBridge(
        { name: op.name, index: op.index, mac: macBytes(op.mac) },
        op.mcastSnooping !== undefined ? { mcastSnooping: op.mcastSnooping } : {},
      );
    case "link-master":
      return R.setLink(op.dev, { master: ifNameToIndex(op.master) });
    case "bridge-port":
      return R.setLink(op.dev, { bridgePort: { learning: false, unicastFlood: op.flood } });
    case "link-promisc":
      return R.setLink(op.dev, { promisc: true });
    case "link-address":
      return R.setLink(op.dev, { mac: macBytes(op.mac) });
    case "link-mtu":
      return R.setLink(op.dev, { mtu: op.mtu });
    case "link-up":
    case "link-down":
      return R.setLink(op.dev, { up: op.kind === "link-up" });
    case "link-del":
      return R.delLink(op.dev);
    case "addr-add":
    case "addr-del":
      return R.address(op.kind === "addr-add" ? "add" : "del", ifNameToIndex(op.dev), prefix(op.cidr));
    case "route-add":
    case "route-del":
      return R.route(op.kind === "route-add" ? "replace" : "del", {
        dst: prefix(op.dst),
        ...(op.via ? { gateway: ipBytes(op.via) } : {}),
        ...(op.dev ? { ifindex: ifNameToIndex(op.dev) } : {}),
        ...(op.table !== undefined ? { table: op.table } : {}),
      });
    case "neigh-add":
      return R.neighbour("replace", ifNameToIndex(op.dev), ipBytes(op.ip), macBytes(op.mac));
    case "neigh-del":
      return R.neighbour("del", ifNameToIndex(op.dev), ipBytes(op.ip));
  }
}

/** Applies ops as rtnetlink requests on a NETLINK_ROUTE socket of the calling thread's namespace. */
export class Rtnetlink implements NetConfigurator {
  apply(ops: readonly NetOp[]): void {
    if (ops.length === 0) return;
    assertPrivateNetns("network configuration");
    withRouteSocket((exchange) => {
      for (const op of ops) {
        let asked: R.RtRequest;
        try {
          asked = request(op);
        } catch (e) {
          throw new Error(`rtnetlink: \`${ipBatchLine(op)}\`: ${(e as Error).message}`);
        }
        const { errno, message } = exchange(asked);
        if (errno !== 0)
          throw new Error(
            `rtnetlink: \`${ipBatchLine(op)}\` failed: ${errnoName(errno)}${message ? ` (kernel: ${message})` : ""}`,
          );
      }
    });
  }
}

/** A request's answer: its errno, the kernel's extended-ack message if any, and the messages before the ack. */
interface Answer {
  errno: number;
  message?: string;
  answers: NetlinkMessage[];
}

type Exchange = (r: R.RtRequest) => Answer;

/**
 * Runs fn with a NETLINK_ROUTE socket of the calling thread's namespace, made
 * per call (a socket stays in the namespace it was opened in, and callers move
 * between namespaces): each exchange sends one request and returns its errno
 * and the messages answering it before the ack. NETLINK_EXT_ACK on: an error
 * names its cause where the kernel gives one (NL_SET_ERR_MSG()).
 */
function withRouteSocket<T>(fn: (exchange: Exchange) => T): T {
  const socket = NetlinkSocket.open(R.NETLINK_ROUTE, { capAck: true, extAck: true });
  let seq = 1;
  try {
    return fn((r) => {
      const s = seq++;
      socket.send(R.encodeRtRequest(r, s));
      return awaitAck(socket, s, r);
    });
  } finally {
    socket.close();
  }
}

/** RTM_* names for messages (rtnetlink.h), so a timeout names the request. */
const RTM_NAMES: Record<number, string> = {
  [R.RTM_NEWLINK]: "RTM_NEWLINK",
  [R.RTM_DELLINK]: "RTM_DELLINK",
  [R.RTM_GETLINK]: "RTM_GETLINK",
  [R.RTM_NEWADDR]: "RTM_NEWADDR",
  [R.RTM_DELADDR]: "RTM_DELADDR",
  [R.RTM_NEWROUTE]: "RTM_NEWROUTE",
  [R.RTM_DELROUTE]: "RTM_DELROUTE",
  [R.RTM_NEWNEIGH]: "RTM_NEWNEIGH",
  [R.RTM_DELNEIGH]: "RTM_DELNEIGH",
};

function awaitAck(socket: NetlinkSocket, seq: number, r: R.RtRequest): Answer {
  const answers: NetlinkMessage[] = [];
  const deadline = Date.now() + ACK_TIMEOUT_MS;
  const what = RTM_NAMES[r.type] ?? `message type ${r.type}`;
  for (;;) {
    const datagram = socket.recv(Math.max(0, deadline - Date.now()));
    if (!datagram) throw new Error(`rtnetlink: no answer to ${what} (request ${seq}) within ${ACK_TIMEOUT_MS} ms`);
    for (const m of decodeMessages(datagram)) {
      if (m.seq !== seq) continue;
      if (m.type !== NLMSG_ERROR) {
        answers.push({ ...m, payload: m.payload.slice() });
        continue;
      }
      const e = decodeErrorMessage(m);
      const message = extAckMessage(e);
      return message === undefined ? { errno: e.errno, answers } : { errno: e.errno, message, answers };
    }
  }
}

/** The devices of `devices` whose operstate is not UP yet (missing ones too), with their state, in the calling thread's namespace. */
export function linksNotActive(devices: readonly string[]): string[] {
  return withRouteSocket((exchange) =>
    devices.flatMap((name) => {
      const { errno, answers } = exchange(R.getLink(name));
      if (errno !== 0) return [`${name} missing`];
      const link = answers.map(R.decodeLink)[0];
      return link?.operstate === R.IF_OPER_UP ? [] : [`${name} operstate ${link?.operstate ?? "unknown"}`];
    }),
  );
}

/**
 * Waits until linkwatch has handled each device's carrier-on (operstate UP).
 * A device whose carrier came on after it went up (a veth whose peer was
 * still down, a bridge whose first port came up) transmits through
 * noop_qdisc until then: dev_queue_xmit() drops every frame, counts it in
 * tx_dropped and answers NET_XMIT_CN, which senders take as success.
 * linkwatch_do_dev() sets the operstate and activates the queues
 * (dev_activate()) in one RTNL section, and handles a bridge's event up to a
 * second late (non-urgent events are rate-limited to one run a second), so:
 * operstate UP, then one more RTNL holder (a no-op `link set up`).
 * `pause` waits between looks (sleepSync, or a caller's own that yields).
 */
export function linksActivated(devices: readonly string[], timeoutMs = 10_000): LinkWait {
  assertPrivateNetns("network configuration");
  const deadline = Date.now() + timeoutMs;
  let done = false;
  return {
    poll(): boolean {
      if (done) return true;
      const waiting = linksNotActive(devices);
      if (waiting.length > 0) {
        if (Date.now() > deadline)
          throw new Error(`links not up ${timeoutMs} ms after set-up (linkwatch has not run): ${waiting.join(", ")}`);
        return false;
      }
      new Rtnetlink().apply(devices.map((dev) => ({ kind: "link-up", dev })));
      done = true;
      return true;
    },
  };
}

/** One wait for links: poll() (in their namespace) until it answers true; it throws past the deadline. */
export interface LinkWait {
  poll(): boolean;
}

/** linksActivated(), waiting synchronously. */
export function awaitLinksActive(devices: readonly string[], timeoutMs = 10_000): void {
  const wait = linksActivated(devices, timeoutMs);
  while (!wait.poll()) sleepSync(5);
}
