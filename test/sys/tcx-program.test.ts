// attachTcx (sys/tcx-program.ts) declines (TcxRefused) only when the kernel
// will not run tc programs; a program the verifier rejects is thrown with the
// verifier's log, so a suite bug never reads as a decline.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildForChildren, runInNamespace } from "./child.js";

let build: ReturnType<typeof buildForChildren>;
beforeAll(() => {
  build = buildForChildren();
});
afterAll(() => build.cleanup());

describe("attachTcx errors", () => {
  it("throws a verifier rejection with its log, not as a refusal", () => {
    const r = runInNamespace(build.fixture("tcx-refusals"));
    expect(r.status, r.stderr).toBe(0);
    expect(r.json.rejected.refused).toBe(false);
    expect(r.json.rejected.message).toMatch(/^bpf\(BPF_PROG_LOAD\) failed: EACCES .*verifier log: .*R0 !read_ok/s);
    if (r.json.valid !== "attached") {
      // A kernel without tcx (before 6.6) or without CAP_BPF: a refusal, and then nothing more to check.
      expect(r.json.valid.refused, r.json.valid.message).toBe(true);
      return;
    }
    expect(r.json.noDevice.refused).toBe(false);
    expect(r.json.noDevice.message).toMatch(/BPF_PROG_ATTACH, tcx egress, ifindex 999\) failed: ENODEV/);
  });
});
