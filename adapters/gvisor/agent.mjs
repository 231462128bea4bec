// The agent inside the gVisor sandbox: serves the adapter protocol on
// stdin/stdout (docs/adapter-protocol.md) with the sandbox's own sockets, so
// every syscall it makes is answered by gVisor's Sentry and netstack, not by
// the host kernel. It uses the suite's compiled code (dist/), read through
// the sandbox's read-only view of the host's `/`.
//
// Area bpf, attach `socket`: each program is the SO_ATTACH_FILTER filter of
// an AF_UNIX datagram socketpair (sys/socket-filter.ts, as for the kernel),
// run by gVisor's classic-BPF interpreter (pkg/bpf); each packet is one
// datagram and the result is the bytes the receiver got. `xt_bpf` needs an
// iptables bpf match, which gVisor's iptables does not have: declined.
import { serveAdapter } from "../../dist/iut/adapter-server.js";
import { AdapterReplyError } from "../../dist/iut/iut.js";
import { Errno } from "../../dist/iut/ops/common.js";
import {
  bpfLoad,
  bpfRun,
  bpfUnload,
  readLoadRequest,
  readRunRequest,
  readUnloadRequest,
} from "../../dist/iut/ops/bpf.js";
import { LinuxSocketPrograms } from "../../dist/iut/linux/bpf/socket-programs.js";
import { release } from "node:os";

const programs = new LinuxSocketPrograms();
let nextHandle = 0;

const handlers = {
  "bpf.load": (params) => {
    const { program, attach } = readLoadRequest(params);
    if (attach !== "socket")
      throw new AdapterReplyError("invalid", bpfLoad.op, "gVisor's iptables has no bpf match (xt_bpf)");
    const handle = `gvisor-bpf-${nextHandle++}`;
    const errno = programs.load(handle, program);
    return bpfLoad.writeReply(errno === 0 ? { errno, handle } : { errno });
  },
  "bpf.run": (params) => {
    const { handle, packets } = readRunRequest(params);
    if (!programs.has(handle))
      throw new AdapterReplyError("invalid", bpfRun.op, `no program is loaded with handle ${JSON.stringify(handle)}`);
    return bpfRun.writeReply({ results: programs.run(handle, packets) });
  },
  "bpf.unload": (params) =>
    bpfUnload.writeReply({ errno: programs.unload(readUnloadRequest(params)) ? 0 : Errno.ENOENT }),
};

const iut = {
  spec: "gvisor-agent",
  hello: async () => ({
    name: "gvisor",
    version: `runsc ${process.env.NFCONFORM_RUNSC_VERSION ?? "unknown"} (sandbox kernel ${release()}, platform ptrace)`,
    areas: ["bpf"],
    profiles: { bpf: "linux" },
  }),
  call: async (op, params) => {
    if (op === "reset") {
      programs.reset();
      return {};
    }
    const handler = handlers[op];
    if (!handler) throw new AdapterReplyError("unsupported", op, `no op ${JSON.stringify(op)} in the gvisor adapter`);
    return handler(params);
  },
  close: async () => programs.reset(),
};

await serveAdapter(iut, process.stdin, process.stdout);
