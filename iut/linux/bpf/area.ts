// The bpf area on the kernel: socket filters on AF_UNIX socketpairs, or on a
// packet socket receiving frames from a veth when a run's metadata is read
// (rx-plan.ts, receive-path.ts), and the xt_bpf match through nft_compat
// (socket-programs.ts, xt-programs.ts); both, or the one attach point the run
// was held to (attach.ts).
import { bpfLoad, bpfRun, bpfUnload, readLoadRequest, readRunRequest, readUnloadRequest } from "../../ops/bpf.js";
import { Errno } from "../../ops/common.js";
import { invalid, unsupported } from "../../ops/op.js";
import type { Attach } from "../../../model/bpf/validator.js";
import type { LinuxArea, LinuxAreaKind, LinuxContext } from "../linux-area.js";
import { attachDeclined, bpfAttachFromEnv } from "./attach.js";
import { xtMetaProblem } from "./meta-support.js";
import { programReads } from "./program-reads.js";
import { ReceivePath } from "./receive-path.js";
import { planReceive } from "./rx-plan.js";
import { LinuxSocketPrograms } from "./socket-programs.js";
import { xtPacketProblem } from "./xt-packet.js";
import { LinuxXtPrograms } from "./xt-programs.js";

export const bpfKind: LinuxAreaKind = {
  name: "bpf",
  ops: [bpfLoad.op, bpfRun.op, bpfUnload.op],
  profile: () => "linux",
  create: (context) => bpfArea(context, bpfAttachFromEnv()),
};

/** `only`: the attach point every program of this run is loaded at; a case asking for the other is declined. */
export function bpfArea({ session }: LinuxContext, only: Attach | null): LinuxArea {
  const sockets = new LinuxSocketPrograms();
  // Set up on the first xt_bpf load: a run held to socket filters never touches nf_tables.
  let xtPrograms: LinuxXtPrograms | null = null;
  const xt = () => (xtPrograms ??= new LinuxXtPrograms(session));
  const receive = new ReceivePath(session);
  let next = 1;
  return {
    handlers: {
      "bpf.load": (params) => {
        const { program, attach } = readLoadRequest(params);
        const declined = attachDeclined(only, attach);
        if (declined) throw invalid(bpfLoad.op, declined);
        const handle = `${attach}-${next++}`;
        const errno = attach === "socket" ? sockets.load(handle, program) : xt().load(handle, program);
        return bpfLoad.writeReply(errno === 0 ? { errno, handle } : { errno });
      },
      "bpf.run": (params) => {
        const { handle, packets, meta } = readRunRequest(params);
        const onSocket = sockets.has(handle);
        if (!onSocket && !xtPrograms?.has(handle))
          throw invalid(bpfRun.op, `no program is loaded with handle ${JSON.stringify(handle)}`);
        if (onSocket) {
          const program = sockets.program(handle);
          const plan = planReceive(meta, programReads(program), packets);
          if (typeof plan === "string") throw unsupported(bpfRun.op, plan);
          if (plan.path === "unix") return bpfRun.writeReply({ results: sockets.run(handle, packets) });
          const results = receive.run(handle, program, plan);
          if (typeof results === "string") throw unsupported(bpfRun.op, results);
          return bpfRun.writeReply({ results });
        }
        // Metadata LOCAL_OUT cannot carry: the bridge's PREROUTING on a received frame (receive-path.ts).
        const reads = programReads(xt().program(handle));
        if (xtMetaProblem(meta, packets, reads)) {
          const plan = planReceive(meta, reads, packets, "xt_bpf");
          if (typeof plan === "string") throw unsupported(bpfRun.op, plan);
          if (plan.path === "receive") {
            for (const [i, p] of packets.entries()) {
              const problem = xtPacketProblem(p);
              if (problem) throw invalid(bpfRun.op, `xt_bpf packet ${i}: ${problem}`);
            }
            const results = receive.runXt(handle, xt().program(handle), plan);
            if (typeof results === "string") throw unsupported(bpfRun.op, results);
            return bpfRun.writeReply({ results });
          }
        }
        // Decline the whole run up front when a packet cannot reach the match unchanged.
        for (const [i, p] of packets.entries()) {
          const problem = xtPacketProblem(p) ?? LinuxXtPrograms.addressProblem(p, (p[0]! >> 4) as 4 | 6);
          if (problem) throw invalid(bpfRun.op, `xt_bpf packet ${i}: ${problem}`);
        }
        const mark = meta?.mark ?? 0; // skb->mark, set with SO_MARK on the sending socket
        return bpfRun.writeReply({ results: packets.map((p) => xt().runOne(handle, p, (p[0]! >> 4) as 4 | 6, mark)) });
      },
      "bpf.unload": (params) => {
        const handle = readUnloadRequest(params);
        receive.unload(handle);
        receive.unloadXt(handle);
        return bpfUnload.writeReply({ errno: sockets.unload(handle) || xtPrograms?.unload(handle) ? 0 : Errno.ENOENT });
      },
    },
    reset: () => {
      receive.reset();
      sockets.reset();
      xtPrograms?.reset();
    },
    close: () => {
      receive.close();
      sockets.reset();
      xtPrograms?.close();
    },
  };
}
