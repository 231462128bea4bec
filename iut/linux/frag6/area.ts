// The frag6 area on the kernel: the plain stack (net/ipv6/reassembly.c,
// profile linux-ipv6) or, with `--frag6 conntrack`, conntrack's reassembler in
// front of it (nf_conntrack_reasm.c, profile linux-nfct). One adapter serves
// one path: the hello can claim one profile per area.
import { PacketError } from "../../../wire/ip-packet.js";
import { frag6Run, readFrag6Request } from "../../ops/frag6.js";
import { invalid } from "../../ops/op.js";
import type { LinuxArea, LinuxAreaKind } from "../linux-area.js";
import { frag6PathFromEnv } from "./path.js";
import { MessageReceiver } from "../../../sys/recvmsg.js";
import { JitterDecline } from "./decline.js";
import { runCase } from "./run-case.js";
import { caseNamespacePool, type CaseNamespacePool } from "./case-namespace-pool.js";

/**
 * A case whose real send times or timer firings broke the schedule's margins
 * (a loaded machine) is run again in a fresh namespace, up to this many times
 * in all, before it is declined: jitter says nothing about the kernel, and a
 * gate on a busy CI machine should judge the case, not count it as declined.
 */
const JITTER_ATTEMPTS = 3;

async function runWithRetries(...args: Parameters<typeof runCase>): ReturnType<typeof runCase> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runCase(...args);
    } catch (error) {
      if (attempt >= JITTER_ATTEMPTS || !(error instanceof JitterDecline)) throw error;
    }
  }
}

export const frag6Kind: LinuxAreaKind = {
  name: "frag6",
  ops: [frag6Run.op],
  profile: () => (frag6PathFromEnv() === "conntrack" ? "linux-nfct" : "linux-ipv6"),
  create: () => frag6Area(),
};

/** `pool`: where the area's cases get their namespaces (by default the process's pool of its path, which reuses them). */
export function frag6Area(pool?: CaseNamespacePool): LinuxArea {
  const path = frag6PathFromEnv();
  const namespaces = pool ?? caseNamespacePool(path);
  const receiver = new MessageReceiver();
  return {
    handlers: {
      "frag6.run": async (params) => {
        const request = readFrag6Request(params);
        try {
          return frag6Run.writeReply(await runWithRetries(path, request, receiver, namespaces));
        } catch (error) {
          if (error instanceof PacketError) throw invalid(frag6Run.op, error.message);
          throw error;
        }
      },
    },
    // Each case runs in a namespace of its own: made anew, or reused only once proved to hold nothing it could observe.
    reset: () => {},
    close: () => receiver.close(),
  };
}
