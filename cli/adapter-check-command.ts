// `nfconform adapter-check --iut SPEC [--timeout 10s] [--json]`: the first
// thing an adapter writer runs. Starts the IUT, checks hello, reset and every
// op of the areas its hello lists (harness/adapter-check.ts judges), and
// prints per op whether it keeps docs/adapter-protocol.md. Exit 0 when every
// check kept it, 1 when any broke it, 2 on a usage or startup error.
import {
  AdapterStartError,
  checkAdapter,
  type AdapterCheckReport,
  type CheckResult,
} from "../harness/adapter-check.js";
import { durationOption, parseOptions } from "./options.js";
import { resolveIut } from "./resolve-iut.js";
import { UsageError } from "./usage-error.js";

type Io = { stdout: (line: string) => void; stderr: (line: string) => void };

/** Each broken check restarts a misbehaving adapter: allow one restart per check, and then some. */
const MAX_RESTARTS = 1000;

export async function adapterCheckCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseOptions(
    argv,
    { iut: { type: "string" }, timeout: { type: "string" }, json: { type: "boolean" } },
    0,
  );
  if (!values.iut) throw new UsageError("adapter-check needs --iut SPEC (e.g. --iut cmd:'./my-adapter')");
  const timeoutMs = durationOption("timeout", values.timeout);
  const iut = resolveIut(values.iut, {
    profiles: {},
    maxRestarts: MAX_RESTARTS,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
  let report: AdapterCheckReport;
  try {
    report = await checkAdapter(iut);
  } catch (error) {
    if (!(error instanceof AdapterStartError)) throw error;
    const evidence = error.evidence ? ` (${error.evidence.split("\n").at(-1)})` : "";
    throw new UsageError(`adapter-check: the adapter did not answer hello: ${error.message}${evidence}`);
  } finally {
    await iut.close();
  }
  if (values.json) io.stdout(JSON.stringify(report, null, 2));
  else for (const line of reportLines(report)) io.stdout(line);
  if (report.hello && report.hello.areas.length === 0)
    throw new UsageError("adapter-check: the adapter's hello lists no areas: there is no op to check");
  return report.kept ? 0 : 1;
}

/** Per op: keeps the contract, or breaks it with each broken check's request, reply and rule. */
export function reportLines(report: AdapterCheckReport): string[] {
  const lines: string[] = [];
  const hello = report.hello;
  lines.push(`adapter-check ${report.iut}${hello ? `: ${hello.name} ${hello.version}` : ""}`);
  const ops = [...new Set(report.checks.map((c) => c.op))];
  for (const op of ops) {
    const checks = report.checks.filter((c) => c.op === op);
    const broken = checks.filter((c) => !c.kept);
    const notes = [...new Set(checks.filter((c) => c.kept && c.detail.startsWith("declined")).map((c) => c.detail))];
    if (broken.length === 0) {
      lines.push(`  ${op}: keeps the contract (${checks.length} checks${notes.length ? `; ${notes.join(", ")}` : ""})`);
      continue;
    }
    lines.push(`  ${op}: BREAKS the contract (${broken.length} of ${checks.length} checks)`);
    for (const c of broken) lines.push(...brokenLines(c));
  }
  const brokenOps = ops.filter((op) => report.checks.some((c) => c.op === op && !c.kept));
  lines.push(
    report.kept
      ? `all ${ops.length} ops keep the contract (${report.checks.length} checks)`
      : `${brokenOps.length} of ${ops.length} ops break the contract: ${brokenOps.join(", ")}`,
  );
  return lines;
}

function brokenLines(c: CheckResult): string[] {
  return [
    `    ${c.kind}: ${c.detail}`,
    `      request: ${JSON.stringify({ op: c.op, ...c.request })}`,
    `      reply:   ${c.reply}`,
    `      rule:    ${c.rule ?? "(none)"}`,
  ];
}
