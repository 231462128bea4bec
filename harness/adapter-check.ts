// `nfconform adapter-check`: drives an IUT through every op of the areas its
// hello lists, once well-formed and a few times malformed, and judges each
// reply against docs/adapter-protocol.md and the op's declaration in iut/ops.
// No printing here: the result is data (cli/adapter-check-command.ts shows it).
//
// A well-formed request must get its op's declared reply, or an `unsupported`
// or `invalid` error reply (the adapter declines; said as such). A request
// that breaks its op's declaration must get `invalid` (`unsupported` where the
// adapter declined the op itself), an unknown op `unsupported`: never success,
// never a crash, a hang or a reply with another id.
import type { TSchema } from "typebox";
import { AdapterReplyError, IutError, type Iut } from "../iut/iut.js";
import { shown } from "../iut/ops/codec.js";
import { ResetReply, type AreaName, type Hello, type Params, type Result } from "../iut/ops/common.js";
import { AREA_OPS } from "../iut/ops/index.js";
import type { OpContract } from "../iut/ops/op.js";
import { findArea } from "../properties/areas.js";
import { OP_EXAMPLES, type OpExample } from "./adapter-check-examples.js";

export type CheckKind = "hello" | "reset" | "well-formed" | "missing-field" | "wrong-type" | "unknown-op";

export interface CheckResult {
  /** The op the check is about (`hello`, `reset`, an area op, or the unknown op sent). */
  op: string;
  kind: CheckKind;
  kept: boolean;
  /** The request as sent, without its id (the runner numbers requests). */
  request: Params;
  /** What came back: the reply (without its id), the error reply, or the runner's account of a fault. */
  reply: string;
  /** What the reply means: the problem, or how it keeps the contract (e.g. `declined: unsupported`). */
  detail: string;
  /** The rule of docs/adapter-protocol.md a broken check breaks. */
  rule?: string;
}

export interface AdapterCheckReport {
  iut: string;
  hello?: Hello;
  checks: CheckResult[];
  /** Every check kept the contract (and at least one op was checked: never green on nothing). */
  kept: boolean;
}

/** The rules of docs/adapter-protocol.md the checks cite, quoted. */
export const RULES = {
  reply:
    'Response: `{"id": <same integer>, ...result}` with the op\'s result as docs/adapter-protocol.md and adapter-protocol.schema.json declare it',
  transport:
    "A late, missing, malformed or mismatched response, or an adapter that exits, is a harness-level failure of that IUT",
  invalid:
    "A request that does not fit its op's declaration (a required field missing or of the wrong type) is one it cannot represent: `invalid`",
  unsupported:
    "`unsupported`: the adapter does not implement that op or variant. An op the adapter does not know: `unsupported`",
  errorCode:
    'on an adapter-side failure `{"id": <same>, "error": {"code": "unsupported" | "invalid" | "internal" | "crashed", "message": "<text>"}}`',
  hello: '`hello` `{"protocol": 1}` -> `{"name": str, "version": str, "areas": [str], "profiles": {area: str}}`',
  profiles: "`profiles` optionally names the behaviour profile the IUT claims per area (profiles of version 1)",
  reset: "`reset` `{}` -> `{}`: drop all state of every area, as a freshly started instance",
} as const;

type Outcome =
  | { kind: "result"; result: Result }
  | { kind: "error-reply"; error: AdapterReplyError }
  | { kind: "fault"; error: IutError };

async function send(iut: Iut, op: string, params: Params): Promise<Outcome> {
  try {
    return { kind: "result", result: await iut.call(op, params) };
  } catch (error) {
    if (error instanceof AdapterReplyError) return { kind: "error-reply", error };
    if (error instanceof IutError) return { kind: "fault", error };
    throw error;
  }
}

function replyText(outcome: Outcome): string {
  switch (outcome.kind) {
    case "result":
      return shown(outcome.result);
    case "error-reply":
      return shown({ error: { code: outcome.error.code, message: outcome.error.detail } });
    case "fault":
      // The offending line as it came (or the exit status, the stderr tail); the detail says what is wrong.
      return outcome.error.evidence?.split("\n")[0] ?? outcome.error.message;
  }
}

/** A fault the runner saw (wrong id, not JSON, timeout, exit): broken, whatever was asked. */
function fault(
  op: string,
  kind: CheckKind,
  request: Params,
  outcome: Outcome & { kind: "fault" },
  rule: string = RULES.transport,
): CheckResult {
  return {
    op,
    kind,
    kept: false,
    request,
    reply: replyText(outcome),
    detail: outcome.error.message,
    rule,
  };
}

/** A well-formed request: the declared reply, or a declining error reply. */
function judgeWellFormed(contract: AnyOp, request: Params, outcome: Outcome): CheckResult {
  const base = { op: contract.op, kind: "well-formed" as const, request, reply: replyText(outcome) };
  if (outcome.kind === "fault") return fault(contract.op, "well-formed", request, outcome);
  if (outcome.kind === "error-reply") {
    const { code } = outcome.error;
    if (code === "internal")
      return { ...base, kept: false, detail: "answered internal to a well-formed request", rule: RULES.errorCode };
    // The implementation crashed and the adapter said so and lived on: a finding about the case, the contract kept.
    if (code === "crashed") return { ...base, kept: true, detail: "the implementation crashed (a finding)" };
    return { ...base, kept: true, detail: `declined: ${code}` };
  }
  try {
    contract.readReply(outcome.result);
  } catch (error) {
    return { ...base, kept: false, detail: (error as Error).message, rule: RULES.reply };
  }
  return { ...base, kept: true, detail: "reply fits its declaration" };
}

/** A malformed request or an unknown op: an error reply with the expected code, nothing else. */
function judgeRefusal(
  op: string,
  kind: CheckKind,
  request: Params,
  outcome: Outcome,
  accepted: readonly string[],
  rule: string,
): CheckResult {
  const base = { op, kind, request, reply: replyText(outcome) };
  if (outcome.kind === "fault") return fault(op, kind, request, outcome);
  if (outcome.kind === "result") return { ...base, kept: false, detail: "answered success", rule };
  const { code } = outcome.error;
  if (!accepted.includes(code))
    return { ...base, kept: false, detail: `answered ${code}, expected ${accepted.join(" or ")}`, rule };
  return { ...base, kept: true, detail: `refused: ${code}` };
}

// biome-ignore lint/suspicious/noExplicitAny: one list holds ops of every request and reply type
type AnyOp = OpContract<any, any>;

/** A value of another JSON type than `value`'s. */
function wrongType(value: unknown): unknown {
  if (typeof value === "string") return 7;
  if (typeof value === "number" || value === null) return "7";
  if (typeof value === "boolean") return "yes";
  return Array.isArray(value) ? "not an array" : 7;
}

function requiredFields(schema: TSchema): string[] {
  return ((schema as { required?: string[] }).required ?? []).slice();
}

/**
 * The malformed variants of a well-formed request: its first required field
 * missing, and of wrong type. Each is checked to break the declaration, so a
 * kept check means the adapter refused a request it had to refuse.
 */
export function malformedRequests(contract: AnyOp, request: Params): { kind: CheckKind; request: Params }[] {
  const field = requiredFields(contract.request.schema)[0];
  if (field === undefined) return [];
  const { [field]: value, ...rest } = request;
  const variants: { kind: CheckKind; request: Params }[] = [
    { kind: "missing-field", request: rest },
    { kind: "wrong-type", request: { ...request, [field]: wrongType(value) } },
  ];
  for (const v of variants)
    if (contract.request.problem(v.request) === undefined)
      throw new Error(`adapter-check: the ${v.kind} variant of ${contract.op} fits its declaration`);
  return variants;
}

/** The ops of an area, in the order their examples run (a load before its run). */
export function areaOps(area: AreaName): { contract: AnyOp; example: OpExample }[] {
  return OP_EXAMPLES[area].map((example) => {
    const contract = AREA_OPS.find((c) => c.op === example.op);
    if (!contract) throw new Error(`adapter-check: no op ${example.op} in iut/ops`);
    return { contract, example };
  });
}

async function checkHello(iut: Iut, checks: CheckResult[]): Promise<Hello | undefined> {
  const request = { op: "hello", protocol: 1 };
  let hello: Hello;
  try {
    hello = await iut.hello();
  } catch (error) {
    if (!(error instanceof IutError)) throw error;
    if (noReply(error)) throw new AdapterStartError(`${iut.spec}: ${error.message}`, error.evidence);
    checks.push(fault("hello", "hello", request, { kind: "fault", error }, RULES.hello));
    return undefined;
  }
  const reply = shown(hello);
  for (const [area, profile] of Object.entries(hello.profiles)) {
    const known = findArea(area as AreaName)?.profiles.map((p) => p.name) ?? [];
    if (!known.includes(profile as string)) {
      const detail = `profiles.${area} is ${JSON.stringify(profile)}, not a profile of ${area} (${known.join(", ")})`;
      checks.push({ op: "hello", kind: "hello", kept: false, request, reply, detail, rule: RULES.profiles });
      return hello;
    }
  }
  checks.push({ op: "hello", kind: "hello", kept: true, request, reply, detail: `areas: ${hello.areas.join(", ")}` });
  return hello;
}

/** The adapter never answered hello (it did not start, exited or hung): a startup error, not a verdict. */
export class AdapterStartError extends Error {
  constructor(
    message: string,
    readonly evidence?: string,
  ) {
    super(message);
  }
}

function noReply(error: IutError): boolean {
  return /^adapter (timed out on hello|.* during hello$|is not running)/.test(error.message);
}

async function checkReset(iut: Iut): Promise<CheckResult> {
  const request = {};
  const outcome = await send(iut, "reset", request);
  const base = { op: "reset", kind: "reset" as const, request, reply: replyText(outcome) };
  if (outcome.kind === "fault") return fault("reset", "reset", request, outcome);
  if (outcome.kind === "error-reply")
    return { ...base, kept: false, detail: `answered ${outcome.error.code}`, rule: RULES.reset };
  const problem = ResetReply.problem(outcome.result);
  if (problem) return { ...base, kept: false, detail: problem, rule: RULES.reset };
  return { ...base, kept: true, detail: "reply fits its declaration" };
}

/** Checks `iut` (already resolved, not yet started); closing it is the caller's. */
export async function checkAdapter(iut: Iut): Promise<AdapterCheckReport> {
  const checks: CheckResult[] = [];
  const hello = await checkHello(iut, checks);
  if (!hello) return { iut: iut.spec, checks, kept: false };
  checks.push(await checkReset(iut));
  for (const area of hello.areas) {
    await iut.call("reset", {}).catch(() => undefined); // judged once above; here it only clears state
    const replies: Record<string, Result> = {};
    for (const { contract, example } of areaOps(area)) {
      const request = example.request(replies);
      const outcome = await send(iut, contract.op, request);
      if (outcome.kind === "result") replies[contract.op] = outcome.result;
      const verdict = judgeWellFormed(contract, request, outcome);
      checks.push(verdict);
      const declinedOp = outcome.kind === "error-reply" && outcome.error.code === "unsupported";
      const accepted = declinedOp ? ["invalid", "unsupported"] : ["invalid"];
      for (const bad of malformedRequests(contract, request)) {
        const reply = await send(iut, contract.op, bad.request);
        checks.push(judgeRefusal(contract.op, bad.kind, bad.request, reply, accepted, RULES.invalid));
      }
    }
    const unknown = `${area}.nfconform-no-such-op`;
    const outcome = await send(iut, unknown, {});
    checks.push(judgeRefusal(unknown, "unknown-op", {}, outcome, ["unsupported"], RULES.unsupported));
  }
  const judgedOps = checks.some((c) => c.kind === "well-formed");
  return { iut: iut.spec, hello, checks, kept: judgedOps && checks.every((c) => c.kept) };
}
