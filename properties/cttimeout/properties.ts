// The cttimeout area's properties. Sequences run on the IUT after a reset; the
// model's answers come from a fresh model IUT of the same profile, through the
// same ops, so both sides are read the same way.
import type { Iut } from "../../iut/iut.js";
import { ModelIut } from "../../iut/model/model-iut.js";
import { parseTop } from "../../model/cttimeout/attribute-policy.js";
import { CTTIMEOUT_RULES } from "../../model/cttimeout/rule-catalogue.js";
import { RuleTrace } from "../../model/rules.js";
import { explanation, lastHitAt } from "../explain.js";
import { EBUSY, ENOENT } from "../../sys/errno.js";
import { cttimeoutRules } from "../../model/cttimeout/rules.js";
import { fromHex, toHex } from "../../wire/hex.js";
import { CTA_TIMEOUT_NAME, IPCTNL_MSG_TIMEOUT_DELETE, cttimeoutType } from "../../wire/netlink/cttimeout.js";
import { decodeErrorMessage, decodeMessages, NLM_F_REQUEST, NLMSG_ERROR } from "../../wire/netlink/message.js";
import { LINKTYPE_NETLINK } from "../../wire/pcap.js";
import { cookedNetlinkRecord } from "../../wire/netlink/cooked.js";
import { NETLINK_NETFILTER } from "../../wire/netlink/nfnetlink.js";
import type { CasePackets, CheckOutcome, ConformanceProperty } from "../property.js";
import { attachStepOf, type CttimeoutCommand, type SequenceInput, type StepReply } from "./commands.js";
import { malformedAfterSetup, type ScenarioEnd, sequenceInput, usersScenario } from "./generators.js";
import fc from "fast-check";
import { validateMalformedInput, validateSequenceInput } from "./input-validation.js";
import { iutNetlink, iutRun } from "./iut-calls.js";
import { iutDump, iutState, nameHex, type ListedPolicy } from "./observe.js";

const SRC = "net/netfilter/nfnetlink_cttimeout.c";
const NFNL = "net/netfilter/nfnetlink.c nfnetlink_rcv_msg()";
const ACK = "net/netlink/af_netlink.c netlink_rcv_skb(), netlink_ack()";
const XT_CT = "net/netfilter/xt_CT.c xt_ct_tg_check(), nf_conntrack_timeout.c nf_ct_set_timeout()";
const OPS = ["netlink", "cttimeout.attach", "cttimeout.detach"] as const;

async function modelIut(profile: string, trace?: RuleTrace): Promise<Iut> {
  const iut = new ModelIut({ profiles: { cttimeout: profile }, ...(trace ? { trace } : {}) });
  await iut.call("reset", {});
  return iut;
}

const ACK_RULES = new Set<string>([CTTIMEOUT_RULES["ack-requested"].id, CTTIMEOUT_RULES["error-acked"].id]);

/** An outcome that may name the step it judged wrong, for the explanation (traced() strips it). */
type StepOutcome = CheckOutcome & { step?: number };

/**
 * `key` names the kind of deviation (see CheckOutcome.key); without one the
 * property has a single kind. `step` is the step where the IUT leaves the
 * model, when the property knows it.
 */
function outcome(
  ok: boolean,
  expected: unknown,
  observed: unknown,
  message: string,
  key?: string,
  step?: number,
): StepOutcome {
  return {
    ok,
    expected,
    observed,
    ...(ok ? {} : { message, ...(key ? { key } : {}), ...(step !== undefined ? { step } : {}) }),
  };
}

type CttimeoutInput = SequenceInput | { setup: SequenceInput; message: string };

function commandsOf(input: CttimeoutInput): CttimeoutCommand[] {
  return "commands" in input ? input.commands : [...input.setup.commands, { op: "netlink", messages: [input.message] }];
}

/** One command as an explanation shows it: its kind and its bytes (the first 64 of each message). */
function showCommand(c: CttimeoutCommand): string {
  if (c.op !== "netlink") return JSON.stringify(c);
  return `${stepKind(c)}: ${c.messages.map((m) => (m.length > 128 ? `${m.slice(0, 128)}...` : m)).join(" ")}`;
}

/**
 * The model's run of a case's commands, step by step, for the rules it
 * reached and, on a violation at `step` (the last step when the property
 * judged the whole sequence), the deciding rule with the message and the
 * model's policies and defaults before it.
 */
async function modelExplained(commands: CttimeoutCommand[], profile: string, failedAt?: number) {
  const trace = new RuleTrace();
  trace.within("step 0");
  try {
    await iutRun(await modelIut(profile, trace), commands, async (step) => trace.within(`step ${step + 1}`));
  } catch {
    // A message the model does not answer (another subsystem): the rules up to it; the property judged the case.
    return { rules: trace.hits };
  }
  if (failedAt === undefined) return { rules: trace.hits };
  const step = Math.min(failedAt, commands.length - 1);
  const before = await modelIut(profile);
  await iutRun(before, commands.slice(0, step));
  const state = await iutState(before);
  const lines = [
    `step ${step}: ${showCommand(commands[step]!)}`,
    `model policies before it: ${JSON.stringify(state.policies)}`,
    ...trace.hits
      .filter((h) => h.at === `step ${step}`)
      .map((h) => `model: ${h.rule}${h.detail ? ` (${h.detail})` : ""}`),
  ];
  // The handler's rule decided the answer; the ack that carries it comes after.
  const handled = lastHitAt(trace.hits, `step ${step}`, (h) => !ACK_RULES.has(h.rule));
  const why = explanation(CTTIMEOUT_RULES, handled ?? lastHitAt(trace.hits, `step ${step}`), trace.hits, lines);
  return { rules: trace.hits, ...(why ? { explanation: why } : {}) };
}

/** Each property with the model's rules for its case, and on a violation the rule where the IUT leaves the model. */
function traced<I extends CttimeoutInput>(property: ConformanceProperty<I>): ConformanceProperty<I> {
  return {
    ...property,
    async check(input, context) {
      const { step, ...outcome } = (await property.check(input, context)) as StepOutcome;
      if (outcome.ok && !context.collectRules) return outcome;
      const commands = commandsOf(input);
      const model = await modelExplained(
        commands,
        context.profile,
        outcome.ok ? undefined : (step ?? commands.length - 1),
      );
      return { ...outcome, ...model };
    },
  };
}

/** A case that gave this property nothing to judge (no step it is about): not a pass. */
function nothingToJudge(reason: string): CheckOutcome {
  return { ok: true, judged: false, reason, expected: null, observed: null };
}

/** What kind of step a command is, for violation keys: the op, and a netlink request's message type. */
function stepKind(c: CttimeoutCommand | undefined): string {
  if (!c) return "missing step";
  if (c.op !== "netlink") return c.op;
  try {
    const type = decodeMessages(fromHex(c.messages[0] ?? ""))[0]?.type;
    return type === undefined ? "netlink (no message)" : `netlink type 0x${type.toString(16)}`;
  } catch {
    return "netlink (broken frame)";
  }
}

/** Every request and reply of a case, for the pcap beside it (LINKTYPE_NETLINK with nlmon's cooked header, one message per record). */
export function netlinkPackets(commands: readonly CttimeoutCommand[], outcomeValue: CheckOutcome): CasePackets {
  const packets: CasePackets["packets"] = [];
  const observed = (outcomeValue.observed as { steps?: StepReply[] } | null)?.steps;
  commands.forEach((c, step) => {
    if (c.op !== "netlink") return;
    c.messages.forEach((m, i) => {
      packets.push({
        label: `step ${step} request ${i}`,
        data: cookedNetlinkRecord(fromHex(m), NETLINK_NETFILTER, true),
      });
      const replies = observed?.[step];
      if (replies && "replies" in replies) {
        for (const [j, r] of (replies.replies[i] ?? []).entries()) {
          packets.push({
            label: `step ${step} reply ${i}.${j}`,
            data: cookedNetlinkRecord(fromHex(r), NETLINK_NETFILTER, false),
          });
        }
      }
    });
  });
  return { linktype: LINKTYPE_NETLINK, packets };
}

/** Live users per policy name (hex), from the IUT's own attach and detach answers. */
function liveUsers(
  commands: readonly CttimeoutCommand[],
  steps: readonly StepReply[],
  upTo = commands.length,
): Map<string, number> {
  const holding = new Map<number, string>();
  for (let i = 0; i < upTo; i++) {
    const c = commands[i]!;
    const r = steps[i];
    if (!r || !("errno" in r) || r.errno !== 0) continue;
    if (c.op === "attach" && c.name !== "") holding.set(i, nameHex(c.name));
    if (c.op === "detach") holding.delete(attachStepOf(commands, i) ?? -1);
  }
  const counts = new Map<string, number>();
  for (const n of holding.values()) counts.set(n, (counts.get(n) ?? 0) + 1);
  return counts;
}

const repliesMatchModel: ConformanceProperty<SequenceInput> = {
  area: "cttimeout",
  name: "replies-match-model",
  statement:
    "For every sequence of messages, attaches and detaches, every reply (data messages, NLMSG_DONE, acks and errors with NLM_F_CAPPED, nlmsg_pid 0) and every errno equals the model's, byte for byte.",
  citation: `${SRC}; ${NFNL}; ${ACK}; ${XT_CT}`,
  ops: OPS,
  arbitrary: () => fc.oneof({ weight: 3, arbitrary: sequenceInput() }, { weight: 1, arbitrary: usersScenario() }),
  validateInput: validateSequenceInput,
  async check(input, { iut, profile }) {
    const expected = await iutRun(await modelIut(profile), input.commands);
    const observed = await iutRun(iut, input.commands);
    const at = expected.findIndex((e, i) => JSON.stringify(e) !== JSON.stringify(observed[i]));
    return outcome(
      at < 0,
      { steps: expected },
      { steps: observed },
      `step ${at} differs: expected ${JSON.stringify(expected[at])}, observed ${JSON.stringify(observed[at])}`,
      `step ${stepKind(input.commands[at])}`,
      at,
    );
  },
  packets: (input, o) => netlinkPackets(input.commands, o),
};

const dumpEqualsModel: ConformanceProperty<SequenceInput> = {
  area: "cttimeout",
  name: "state-equals-model",
  statement:
    "After any sequence, the policies a dump lists (names, protocols, USE, timeouts, in order) and every tracker's defaults equal the model's.",
  citation: `${SRC} ctnl_timeout_dump(), cttimeout_default_get()`,
  ops: OPS,
  arbitrary: () => sequenceInput(),
  validateInput: validateSequenceInput,
  async check(input, { iut, profile }) {
    const model = await modelIut(profile);
    await iutRun(model, input.commands);
    const expected = await iutState(model);
    await iutRun(iut, input.commands);
    const observed = await iutState(iut);
    return outcome(
      JSON.stringify(expected) === JSON.stringify(observed),
      expected,
      observed,
      "the listed state differs from the model's",
    );
  },
  packets: (input, o) => netlinkPackets(input.commands, o),
};

const useCountsUsers: ConformanceProperty<SequenceInput> = {
  area: "cttimeout",
  name: "use-counts-live-users",
  statement: "USE of every listed policy equals 1 plus the users the IUT attached to it and has not detached.",
  citation: `${SRC} ctnl_timeout_fill_info() (refcount_read), ctnl_timeout_find_get(), ctnl_timeout_put()`,
  ops: OPS,
  arbitrary: () => fc.oneof(usersScenario(), sequenceInput({ malformed: 0 })),
  validateInput: validateSequenceInput,
  async check(input, { iut }) {
    const steps = await iutRun(iut, input.commands);
    const users = liveUsers(input.commands, steps);
    const listed = await iutDump(iut);
    const wrong = listed.filter((p) => p.use !== 1 + (users.get(p.name) ?? 0));
    return outcome(
      wrong.length === 0,
      listed.map((p) => ({ name: p.name, use: 1 + (users.get(p.name) ?? 0) })),
      { policies: listed.map((p) => ({ name: p.name, use: p.use })), steps },
      `USE of ${wrong.map((p) => `${p.name} is ${p.use}`).join(", ")}, not 1 + live users`,
    );
  },
  packets: (input, o) => netlinkPackets(input.commands, o),
};

/** The errno a step's replies end with: the last NLMSG_ERROR's, or 0 when none came. */
function stepErrno(replies: readonly string[]): number {
  const errors = replies.flatMap((r) => decodeMessages(fromHex(r))).filter((m) => m.type === NLMSG_ERROR);
  const last = errors[errors.length - 1];
  return last ? decodeErrorMessage(last).errno : 0;
}

/** A well-formed DELETE request: the name (hex) it deletes, null for delete-all; undefined for anything else. */
function deleteTarget(hex: string): string | null | undefined {
  const msgs = (() => {
    try {
      return decodeMessages(fromHex(hex));
    } catch {
      return [];
    }
  })();
  const m = msgs[0];
  if (
    msgs.length !== 1 ||
    !m ||
    m.type !== cttimeoutType(IPCTNL_MSG_TIMEOUT_DELETE) ||
    !(m.flags & NLM_F_REQUEST) ||
    m.payload.length < 4
  )
    return undefined;
  const parsed = parseTop(m.payload.subarray(4), cttimeoutRules("linux").nameMax);
  if ("errno" in parsed) return undefined;
  const name = parsed.tb[CTA_TIMEOUT_NAME];
  if (!name) return null;
  const nul = name.indexOf(0);
  return toHex(name.subarray(0, nul));
}

interface TraceStep {
  step: number;
  reply: StepReply;
  listed: ListedPolicy[];
}

/** Runs the sequence with a dump after every step. */
async function trace(
  iut: Iut,
  commands: readonly CttimeoutCommand[],
): Promise<{ steps: StepReply[]; trace: TraceStep[] }> {
  const dumps: ListedPolicy[][] = [];
  const steps = await iutRun(iut, commands, async () => {
    dumps.push(await iutDump(iut));
  });
  return { steps, trace: steps.map((reply, step) => ({ step, reply, listed: dumps[step]! })) };
}

const deleteSequences = () =>
  fc.oneof(
    { weight: 3, arbitrary: usersScenario() },
    { weight: 1, arbitrary: sequenceInput({ malformed: 0, maxLength: 14, types: [2, 2, 2, 1, 0] }) },
  );

/**
 * For the DELETE properties: most cases end with the DELETE the property
 * judges (a mix of sequences alone left about half with none, and a gate
 * that judges little is weak; test/properties/judged-share.test.ts).
 */
const endingWith = (end: ScenarioEnd) => () =>
  fc.oneof({ weight: 3, arbitrary: usersScenario({ end }) }, { weight: 1, arbitrary: deleteSequences() });

const deleteExactlyWhenUnused: ConformanceProperty<SequenceInput> = {
  area: "cttimeout",
  name: "delete-exactly-when-unused",
  statement:
    "A DELETE naming a listed policy succeeds exactly when no user holds it (EBUSY otherwise); one naming no listed policy is ENOENT.",
  citation: `${SRC} cttimeout_del_timeout(), ctnl_timeout_try_del() (refcount_dec_if_one)`,
  ops: OPS,
  arbitrary: endingWith("named"),
  validateInput: validateSequenceInput,
  async check(input, { iut }) {
    const { steps, trace: t } = await trace(iut, input.commands);
    let deletes = 0;
    for (const { step, reply } of t) {
      const c = input.commands[step]!;
      if (c.op !== "netlink" || !("replies" in reply)) continue;
      const target = deleteTarget(c.messages[0]!);
      if (typeof target !== "string") continue;
      const before = step === 0 ? [] : t[step - 1]!.listed;
      const users = liveUsers(input.commands, steps, step).get(target) ?? 0;
      const want = !before.some((p) => p.name === target) ? ENOENT : users > 0 ? EBUSY : 0;
      const got = stepErrno(reply.replies[0] ?? []);
      deletes++;
      if (got !== want)
        return outcome(
          false,
          { step, errno: want },
          { step, errno: got, steps },
          `step ${step}: DELETE of ${target} with ${users} users gave errno ${got}, not ${want}`,
          `DELETE errno ${got} where the model gives ${want}`,
          step,
        );
    }
    return deletes ? outcome(true, null, null, "") : nothingToJudge("no DELETE naming a policy was answered");
  },
  packets: (input, o) => netlinkPackets(input.commands, o),
};

const deleteAllRemovesUnused: ConformanceProperty<SequenceInput> = {
  area: "cttimeout",
  name: "delete-all-removes-exactly-unused",
  statement:
    "A DELETE without a name removes exactly the listed policies no user holds, keeps the others in order, and answers 0.",
  citation: `${SRC} cttimeout_del_timeout() (no CTA_TIMEOUT_NAME: ctnl_timeout_try_del on each)`,
  ops: OPS,
  arbitrary: endingWith("all"),
  validateInput: validateSequenceInput,
  async check(input, { iut }) {
    const { steps, trace: t } = await trace(iut, input.commands);
    let deleteAlls = 0;
    for (const { step, reply, listed } of t) {
      const c = input.commands[step]!;
      if (c.op !== "netlink" || !("replies" in reply) || deleteTarget(c.messages[0]!) !== null) continue;
      deleteAlls++;
      const before = step === 0 ? [] : t[step - 1]!.listed;
      const users = liveUsers(input.commands, steps, step);
      const want = before.filter((p) => (users.get(p.name) ?? 0) > 0).map((p) => p.name);
      const got = listed.map((p) => p.name);
      const errno = stepErrno(reply.replies[0] ?? []);
      if (JSON.stringify(want) !== JSON.stringify(got) || errno !== 0) {
        return outcome(
          false,
          { step, listed: want, errno: 0 },
          { step, listed: got, errno, steps },
          `step ${step}: delete-all left ${JSON.stringify(got)}, expected ${JSON.stringify(want)} (errno ${errno})`,
          errno !== 0 ? `delete-all errno ${errno}` : "delete-all left the wrong policies",
          step,
        );
      }
    }
    return deleteAlls ? outcome(true, null, null, "") : nothingToJudge("no DELETE without a name was answered");
  },
  packets: (input, o) => netlinkPackets(input.commands, o),
};

const inUseNeverFreed: ConformanceProperty<SequenceInput> = {
  area: "cttimeout",
  name: "in-use-never-freed",
  statement: "After every step, every policy some user holds is still listed.",
  citation: `${SRC} ctnl_timeout_try_del(), ctnl_timeout_put() (refcount_dec_and_test)`,
  ops: OPS,
  arbitrary: deleteSequences,
  validateInput: validateSequenceInput,
  async check(input, { iut }) {
    const { steps, trace: t } = await trace(iut, input.commands);
    for (const { step, listed } of t) {
      const held = [...liveUsers(input.commands, steps, step + 1).entries()]
        .filter(([, n]) => n > 0)
        .map(([name]) => name);
      const missing = held.filter((n) => !listed.some((p) => p.name === n));
      if (missing.length > 0)
        return outcome(
          false,
          { step, held },
          { step, listed: listed.map((p) => p.name), steps },
          `step ${step}: ${missing.join(", ")} held but no longer listed`,
          undefined,
          step,
        );
    }
    return outcome(true, null, null, "");
  },
  packets: (input, o) => netlinkPackets(input.commands, o),
};

/** Whether the kernel never handles this datagram: a broken frame, or no NLM_F_REQUEST. */
function neverHandled(bytes: Uint8Array): boolean {
  if (bytes.length < 16) return true;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(0, true);
  return length < 16 || length > bytes.length || (view.getUint16(6, true) & NLM_F_REQUEST) === 0;
}

const malformedLeavesState: ConformanceProperty<{ setup: SequenceInput; message: string }> = {
  area: "cttimeout",
  name: "refused-message-changes-nothing",
  statement:
    "A message refused with an error, or never handled (broken frame, no NLM_F_REQUEST), leaves the policies and defaults as they were.",
  citation: `${NFNL} (policy checks before the handler); ${SRC}`,
  ops: OPS,
  arbitrary: () => malformedAfterSetup(),
  validateInput: validateMalformedInput,
  async check(input, { iut }) {
    await iutRun(iut, input.setup.commands);
    const before = await iutState(iut);
    const [replies] = await iutNetlink(iut, [input.message]);
    const after = await iutState(iut);
    const errno = stepErrno(replies ?? []);
    const refused = errno !== 0 || neverHandled(fromHex(input.message));
    if (!refused) return nothingToJudge("the message was accepted, so this property has nothing to judge");
    const same = JSON.stringify(before) === JSON.stringify(after);
    return outcome(
      same,
      { state: before },
      { state: after, errno, replies },
      `the message was refused (errno ${errno}) but the state changed`,
      errno !== 0 ? `refused with errno ${errno}, state changed` : "never handled, state changed",
    );
  },
  packets: (input, o) => netlinkPackets([...input.setup.commands, { op: "netlink", messages: [input.message] }], o),
};

// biome-ignore lint/suspicious/noExplicitAny: a list holds properties of every input type
export const CTTIMEOUT_PROPERTIES: readonly ConformanceProperty<any>[] = [
  traced(repliesMatchModel),
  traced(dumpEqualsModel),
  traced(useCountsUsers),
  traced(deleteExactlyWhenUnused),
  traced(deleteAllRemovesUnused),
  traced(inUseNeverFreed),
  traced(malformedLeavesState),
];
