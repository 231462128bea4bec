// hooks.fragments on the running kernel (iut/linux/hooks/fragments.ts), in a
// namespace of its own: chains at -401/-399 and at -400 on each side of the
// defrag user see fragments or the reassembled datagram as the model says
// (measured on 6.18: a chain at -400 registered after the ct rule runs before
// ipv6_defrag, one registered before it after), no chain above -400 sees the
// datagram without a defrag user, and a few generated cases of
// hooks.prerouting-defrag-split are judged and agree with the model; the
// ruleset goes in as netlink messages that nft lists as its text.
import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { wrapInNamespace } from "../../sys/namespace.js";

const ROOT = resolve(__dirname, "../..");

describe("--iut linux, hooks.fragments", () => {
  it("splits PRE_ROUTING chains at nf_defrag_ipv6's hook as the model does", async () => {
    const argv = wrapInNamespace([process.execPath, join(ROOT, "test/fixtures/linux-defrag-facts.mjs"), "12"]);
    const r = await new Promise<{ status: number; stdout: string; stderr: string }>((done) =>
      execFile(argv[0]!, argv.slice(1), { cwd: ROOT, timeout: 60_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
        done({ status: error ? ((error.code as number | undefined) ?? 1) : 0, stdout, stderr }),
      ),
    );
    expect(r.status, r.stderr).toBe(0);
    const f = JSON.parse(r.stdout);
    expect(f.cases).toEqual({
      split: { kernel: ["low@0F", "low@1F", "high@1D"], model: ["low@0F", "low@1F", "high@1D"] },
      tieAfterUser: { kernel: ["tie@0F", "tie@1F"], model: ["tie@0F", "tie@1F"] },
      tieBeforeUser: { kernel: ["tie@1D"], model: ["tie@1D"] },
      noUser: { kernel: ["high@0F", "high@1F"], model: ["high@0F", "high@1F"] },
      incomplete: { kernel: ["low@0F"], model: ["low@0F"] },
    });
    // Never green on nothing: the generated cases were judged, and agree.
    expect(f.generated.judged).toBeGreaterThanOrEqual(10);
    expect(f.generated.differ).toEqual([]);
    // The netlink batch the area sends is the ruleset its nft text says.
    expect(f.ruleset.compared).toBeGreaterThanOrEqual(9);
    expect(f.ruleset.differ).toEqual([]);
  }, 90_000);
});
