// `--iut linux:bpf=socket|xt_bpf`: the kernel IUT held to one attach point for
// a whole run (iut/linux/bpf/attach.ts), so a matrix judges Linux's socket
// filter and xt_bpf as two columns. A load at the other attach point is
// declined (never answered), the option reaches the adapter's command line
// and hello's version, and a bad value is a one-line usage error.
import { describe, expect, it } from "vitest";
import { vmIutProblem } from "../../cli/linux-adapter.js";
import { resolveIut } from "../../cli/resolve-iut.js";
import { AdapterClient } from "../../iut/adapter-client.js";
import { AdapterReplyError } from "../../iut/ops/op.js";
import { bpfArea } from "../../iut/linux/bpf/area.js";
import { bpfAttachNote } from "../../iut/linux/bpf/attach.js";
import type { NftSession } from "../../iut/linux/nft-session.js";

/** ret #0xffff: accepted at either attach point. */
const ACCEPT_ALL = [[0x06, 0, 0, 0xffff]];
/** xt_bpf's programs go through nf_tables, set up on the first xt_bpf load: none here gets that far. */
const NO_SESSION = {} as NftSession;

function load(only: "socket" | "xt_bpf" | null, attach: "socket" | "xt_bpf") {
  const area = bpfArea({ session: NO_SESSION }, only);
  try {
    return area.handlers["bpf.load"]!({ program: ACCEPT_ALL, attach });
  } finally {
    area.close();
  }
}

describe("the kernel IUT held to one bpf attach point", () => {
  it("declines a load at the other attach point, and loads where it is held", () => {
    expect(() => load("socket", "xt_bpf")).toThrow(AdapterReplyError);
    expect(() => load("socket", "xt_bpf")).toThrow(/loads programs at socket only \(--iut linux:bpf=socket\)/);
    expect(() => load("xt_bpf", "socket")).toThrow(/at xt_bpf only/);
    expect(load("socket", "socket")).toMatchObject({ errno: 0, handle: "socket-1" });
  });

  it("says so in hello's version; unheld, it says nothing", () => {
    expect(bpfAttachNote("xt_bpf")).toBe(" (bpf at xt_bpf only)");
    expect(bpfAttachNote(null)).toBe("");
  });

  it("--iut linux:bpf=<attach> starts the adapter with --bpf <attach>; anything else is a usage error", () => {
    const held = resolveIut("linux:bpf=xt_bpf", { profiles: {} });
    expect(held).toBeInstanceOf(AdapterClient);
    expect((held as AdapterClient).command).toMatch(/ adapter linux --bpf xt_bpf$/);
    expect((resolveIut("linux-nfct:bpf=socket", { profiles: {} }) as AdapterClient).command).toMatch(
      / adapter linux --frag6 conntrack --bpf socket$/,
    );
    expect((resolveIut("linux", { profiles: {} }) as AdapterClient).command).not.toMatch(/--bpf/);
    expect(() => resolveIut("linux:bpf=tc", { profiles: {} })).toThrow(
      "--iut linux:bpf=tc: the kernel IUT takes bpf=socket or bpf=xt_bpf after the colon",
    );
  });

  it("--iut linux@<version>:bpf=<attach> passes --bpf into the VM's adapter", () => {
    expect(() => resolveIut("linux@6.12:bpf=tc", { profiles: {} })).toThrow(
      "--iut linux@6.12:bpf=tc: the kernel IUT takes bpf=socket or bpf=xt_bpf after the colon",
    );
    // A machine without the fetched kernel says so for the whole spec; one with it starts the VM adapter.
    const problem = vmIutProblem("6.12", "linux@6.12:bpf=socket");
    if (problem) {
      expect(() => resolveIut("linux@6.12:bpf=socket", { profiles: {} })).toThrow(problem);
      return;
    }
    const vm = resolveIut("linux@6.12:bpf=socket", { profiles: {} }) as AdapterClient;
    expect(vm.command).toMatch(/ adapter linux --kernel 6\.12 --bpf socket$/);
  });
});
