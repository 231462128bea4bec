// `nfconform adapter-check`: the model and the model behind the adapter
// protocol keep the contract on every op; fake adapters that break it in one
// way each are caught, with the rule they break, and exit 1.
import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { areaOps, checkAdapter, malformedRequests, type AdapterCheckReport } from "../../harness/adapter-check.js";
import { ModelIut } from "../../iut/model/model-iut.js";
import { AREA_NAMES } from "../../iut/ops/common.js";
import { AREA_OPS } from "../../iut/ops/index.js";

const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "bin/nfconform");
const FAKE = `node ${join(ROOT, "test/fixtures/fake-adapter.mjs")}`;

async function check(...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(BIN, ["adapter-check", ...args], { encoding: "utf8" });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function checkJson(iut: string, ...args: string[]): Promise<{ code: number; report: AdapterCheckReport }> {
  const r = await check("--iut", iut, "--json", ...args);
  return { code: r.code, report: JSON.parse(r.stdout) };
}

describe("adapter-check's requests", () => {
  it("has a well-formed example for every op of every area, and malformed variants that break its declaration", () => {
    const covered = AREA_NAMES.flatMap((area) =>
      areaOps(area).map(({ contract, example }) => {
        const request = example.request({});
        expect(contract.request.problem(request), contract.op).toBeUndefined();
        expect(malformedRequests(contract, request)).toHaveLength(2);
        return contract.op;
      }),
    );
    expect(covered.sort()).toEqual(AREA_OPS.map((c) => c.op).sort());
  });
});

describe("adapter-check's hello", () => {
  it("a profile the suite does not know for an area breaks it", async () => {
    const iut = new ModelIut({ profiles: { frag6: "bsd" } });
    const report = await checkAdapter(iut);
    expect(report.kept).toBe(false);
    expect(report.checks.find((c) => c.op === "hello")).toMatchObject({
      kept: false,
      detail: 'profiles.frag6 is "bsd", not a profile of frag6 (rfc8200, linux-ipv6, linux-nfct)',
    });
  });
});

describe.concurrent("nfconform adapter-check", () => {
  it("--iut model keeps the contract on every op", async () => {
    const r = await check("--iut", "model");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/all 21 ops keep the contract \(49 checks\)/);
    expect(r.stdout).not.toMatch(/BREAKS/);
  });

  it("the model behind the adapter protocol keeps it too, each op answered, not declined", async () => {
    const { code, report } = await checkJson(`cmd:${BIN} adapter model`);
    expect(code).toBe(0);
    expect(report.kept).toBe(true);
    const answered = report.checks.filter((c) => c.kind === "well-formed" && c.detail === "reply fits its declaration");
    expect(answered.map((c) => c.op).sort()).toEqual(AREA_OPS.map((c) => c.op).sort());
  });

  it("an adapter answering a malformed request with success breaks the contract", async () => {
    const r = await check("--iut", `cmd:${FAKE} accept-malformed`);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/checksum\.fill: BREAKS the contract \(2 of 3 checks\)/);
    expect(r.stdout).toMatch(/missing-field: answered success/);
    expect(r.stdout).toMatch(/request: \{"op":"checksum.fill","state":"none","gso":false\}/);
    expect(r.stdout).toMatch(
      /rule: {4}A request that does not fit its op.s declaration .* is one it cannot represent: `invalid`/,
    );
    expect(r.stdout).toMatch(/hooks\.register: keeps the contract/);
    // The fake answers the unknown op of its area with success too.
    expect(r.stdout).toMatch(
      /3 of 21 ops break the contract: checksum.fill, checksum.checkentry, checksum.nfconform-no-such-op$/m,
    );
  });

  it("an adapter replying with another id breaks it", async () => {
    const { code, report } = await checkJson(`cmd:${FAKE} wrong-id`);
    expect(code).toBe(1);
    const broken = report.checks.filter((c) => !c.kept);
    expect(new Set(broken.map((c) => c.op))).toEqual(
      new Set(["checksum.fill", "checksum.checkentry", "checksum.nfconform-no-such-op"]),
    );
    expect(broken[0]).toMatchObject({
      kind: "well-formed",
      detail: "adapter reply has id 104, expected 4 (checksum.fill)",
    });
    expect(broken[0]!.rule).toMatch(/mismatched response/);
    // The adapter was restarted after each fault: the other areas were checked and keep the contract.
    expect(report.checks.filter((c) => c.op.startsWith("hooks.")).every((c) => c.kept)).toBe(true);
  });

  it("an adapter replying off its op's reply shape breaks it", async () => {
    const r = await check("--iut", `cmd:${FAKE} bad-field`);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/well-formed: reply to checksum.fill: "packet" must be a lowercase hex string, got "XYZ"/);
    expect(r.stdout).toMatch(/reply: {3}\{"packet":"XYZ"\}/);
  });

  it("an adapter answering an unknown op with success breaks it", async () => {
    const { code, report } = await checkJson(`cmd:${FAKE} accept-unknown-op`);
    expect(code).toBe(1);
    const broken = report.checks.filter((c) => !c.kept);
    expect(broken.map((c) => c.kind)).toEqual(["unknown-op", "unknown-op", "unknown-op", "unknown-op", "unknown-op"]);
    expect(broken[0]!.rule).toMatch(/An op the adapter does not know: `unsupported`/);
  });

  it("an adapter that hangs past the timeout breaks it, and the check goes on", async () => {
    // The restarted adapter's hello must come within the timeout too: 5 s leaves room on a loaded machine.
    const { code, report } = await checkJson(`cmd:${FAKE} hang-unknown-op`, "--timeout", "5s");
    expect(code).toBe(1);
    const broken = report.checks.filter((c) => !c.kept);
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatchObject({
      op: "checksum.nfconform-no-such-op",
      detail: "adapter timed out on checksum.nfconform-no-such-op after 5000 ms",
    });
    expect(report.checks.filter((c) => c.op.startsWith("hooks.")).every((c) => c.kept)).toBe(true);
  });

  it("a hello off its shape or of another protocol version breaks it; no op is checked", async () => {
    const { code, report } = await checkJson(`cmd:${FAKE} bad-hello`);
    expect(code).toBe(1);
    expect(report.checks).toHaveLength(1);
    expect(report.checks[0]).toMatchObject({ op: "hello", kept: false });
    expect(report.checks[0]!.detail).toMatch(/"areas"/);
    const other = await checkJson(`cmd:${FAKE} wrong-protocol`);
    expect(other.code).toBe(1);
    expect(other.report.checks[0]!.detail).toMatch(/the adapter speaks protocol 2, this suite speaks 1/);
  });

  it("an adapter that never answers hello, and a missing --iut, are exit 2 with one line", async () => {
    const dead = await check("--iut", "cmd:exit 3");
    expect(dead.code).toBe(2);
    expect(dead.stderr).toMatch(/^nfconform: adapter-check: the adapter did not answer hello: .*exited with status 3/);
    const empty = await check("--iut", `cmd:${FAKE} no-areas`);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/hello lists no areas: there is no op to check/);
    const none = await check();
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/adapter-check needs --iut/);
  });
});
