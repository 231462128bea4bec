// Bridge probes: one UDP/IPv4 frame aimed at one bridge list (its port,
// chain-rules.ts), along a path through nfcbr0 (bridge-network.ts) that
// crosses that list:
//   prerouting, forward,   injected on nfcbq0 to nfcbq1's MAC: br_handle_frame()
//   postrouting            (NF_BR_PRE_ROUTING), flooded to nfcbp1 (NF_BR_FORWARD,
//                          NF_BR_POST_ROUTING); captured arriving on nfcbq1
//   input                  injected on nfcbq0 to the bridge's MAC: br_pass_frame_up()
//                          (NF_BR_LOCAL_IN); captured arriving on nfcbr0
//   output                 sent on nfcbr0 itself (br_dev_xmit(): NF_BR_LOCAL_OUT,
//                          then NF_BR_POST_ROUTING) to nfcbq1's MAC; captured on nfcbq1
// The source port is the nonce, as for the ip probes.
import type { HookName } from "../../../model/hooks/families.js";
import { PacketSocket } from "../../../sys/packet-socket.js";
import { macBytes } from "../../../sys/veth.js";
import { ETH_P_IP, PACKET_HOST } from "../../../wire/protocol-numbers.js";
import { BRIDGE, BRIDGE_PORTS, type BridgeNetwork } from "./bridge-network.js";
import type { Aim } from "./chain-rules.js";
import { PROBE_ADDRESSES } from "./probe-network.js";
import { udpPacket, udpPort } from "./probes.js";
import type { ProbeSet, SendOutcome } from "./traversal.js";

export type BridgePath = { kind: "bridge"; hook: Exclude<HookName, "ingress" | "egress"> };

const [IN_PORT, OUT_PORT] = BRIDGE_PORTS;

export function bridgePath(hook: HookName): BridgePath | null {
  return hook === "ingress" || hook === "egress" ? null : { kind: "bridge", hook };
}

export class BridgeProbes implements ProbeSet<BridgePath> {
  private readonly injector: PacketSocket;
  private readonly bridge: PacketSocket;
  private readonly beyond: PacketSocket;

  constructor(network: BridgeNetwork) {
    [this.injector, this.bridge, this.beyond] = network.inside(() => [
      PacketSocket.open(IN_PORT.peer, { protocol: ETH_P_IP }),
      PacketSocket.open(BRIDGE.name, { protocol: ETH_P_IP }),
      PacketSocket.open(OUT_PORT.peer, { protocol: ETH_P_IP }),
    ]);
  }

  runsInSend(): boolean {
    return false;
  }

  private endPoint(path: BridgePath): PacketSocket {
    return path.hook === "input" ? this.bridge : this.beyond;
  }

  send(path: BridgePath, aim: Aim, nonce: number): SendOutcome {
    this.endPoint(path).drain();
    const { source, remote } = PROBE_ADDRESSES[4];
    const packet = udpPacket(4, source, remote, nonce, udpPort(aim));
    const frame = new Uint8Array(14 + packet.length);
    const toBridge = path.hook === "input";
    const fromBridge = path.hook === "output";
    frame.set(macBytes(toBridge ? BRIDGE.mac : OUT_PORT.peerMac), 0);
    frame.set(macBytes(fromBridge ? BRIDGE.mac : IN_PORT.peerMac), 6);
    frame[12] = 0x08;
    frame[13] = 0x00;
    frame.set(packet, 14);
    (fromBridge ? this.bridge : this.injector).send(frame);
    return { sent: true };
  }

  endPointFd(path: BridgePath): number {
    return this.endPoint(path).fd;
  }

  arrived(path: BridgePath, aim: Aim, nonce: number): boolean {
    const socket = this.endPoint(path);
    for (;;) {
      const frame = socket.recv(0);
      if (!frame) return false;
      if (frame.pktType !== PACKET_HOST) continue;
      const d = frame.data;
      const transport = 14 + (d[14]! & 0x0f) * 4;
      if (d.length < transport + 4) continue;
      const view = new DataView(d.buffer, d.byteOffset + transport);
      if (view.getUint16(0) === nonce && view.getUint16(2) === udpPort(aim)) return true;
    }
  }

  close(): void {
    this.injector.close();
    this.bridge.close();
    this.beyond.close();
  }
}
