import { disassemble, disassembleInsn } from "../../model/bpf/formats.js";
import { BPF_RULES } from "../../model/bpf/rule-catalogue.js";
import { validate, type Verdict } from "../../model/bpf/validator.js";
import type { Insn } from "../../model/bpf/opcodes.js";
import { RuleTrace } from "../../model/rules.js";
import { explanation, lastHitAt } from "../explain.js";
import { EINVAL } from "../../sys/errno.js";
import { fromHex } from "../../wire/hex.js";
import { LINKTYPE_RAW } from "../../wire/pcap.js";
import type { CasePackets, CheckOutcome, ConformanceProperty, PropertyContext } from "../property.js";
import {
  loadInput,
  metaRunInput,
  runInput,
  sessionInput,
  validProgram,
  type LoadInput,
  type RunInput,
  type SessionInput,
} from "./generators.js";
import { validateLoadInput, validateRunInput, validateSessionInput } from "./input-validation.js";
import { iutLoad, iutRun, iutUnload } from "./iut-calls.js";
import { asProgram, compareResults, firstDifference, modelResults, runExplanation } from "./model-run.js";

const VALIDATOR =
  "net/core/filter.c bpf_check_basics_ok(), bpf_check_classic(), chk_code_allowed(), check_load_and_stores(), bpf_convert_filter(), __sk_filter_charge(); net/netfilter/xt_bpf.c __bpf_mt_check_bytecode()";
const RUNTIME =
  "net/core/filter.c bpf_convert_filter(), convert_bpf_ld_abs(), convert_bpf_extensions(), bpf_skb_load_helper_*(), sk_filter_trim_cap(); net/netfilter/xt_bpf.c bpf_mt()";

/**
 * The kind of a load that differs, for violation keys: the rule the model
 * refuses by (or that it accepts) and the errno the IUT gave; never the
 * program, nor the attach point (a rule is one deviation wherever it is broken).
 */
function loadKey(rule: string | undefined, errno: number): string {
  return `load: model ${rule ? `refuses (${rule})` : "accepts"}, IUT errno ${errno}`;
}

/** A load violation's explanation: the validator's rule, with the program disassembled and the pc it fired on marked. */
function loadExplanation(program: Insn[], verdict: Verdict, trace: RuleTrace) {
  const listing =
    program.length <= 80
      ? program.map((ins, pc) => `${disassembleInsn(ins, pc)}${pc === verdict.pc ? "    <- the rule fires here" : ""}`)
      : [`${program.length} instructions`];
  return explanation(BPF_RULES, lastHitAt(trace.hits, undefined), trace.hits, listing);
}

function runPackets(input: { packets: string[] }): CasePackets {
  return {
    linktype: LINKTYPE_RAW,
    packets: input.packets.map((hex, i) => ({ label: `packet ${i}`, data: fromHex(hex) })),
  };
}

/** Loads on the IUT and the model, then runs and compares; the shared body of the run properties. */
async function loadAndRun(input: RunInput, { iut, collectRules }: PropertyContext): Promise<CheckOutcome> {
  const program = asProgram(input.program);
  const trace = new RuleTrace();
  const verdict = validate(program, input.attach, undefined, trace);
  const loaded = await iutLoad(iut, input.program, input.attach);
  if (loaded.errno !== verdict.errno) {
    const why = loadExplanation(program, verdict, trace);
    return {
      rules: trace.hits,
      ...(why ? { explanation: why } : {}),
      ok: false,
      expected: { errno: verdict.errno, rule: verdict.rule ?? null },
      observed: { errno: loaded.errno },
      message: `${input.attach} load errno ${loaded.errno}, model ${verdict.errno}${verdict.rule ? ` (${verdict.rule})` : ""}; program:\n${disassemble(program)}`,
      key: loadKey(verdict.rule, loaded.errno),
    };
  }
  if (verdict.errno !== 0)
    return { ok: true, expected: { errno: verdict.errno }, observed: { errno: loaded.errno }, rules: trace.hits };
  // The interpreter's rules cost a little on every packet: recorded when collected, or again on a violation.
  const { meta } = input;
  const expected = modelResults(input.program, input.attach, input.packets, collectRules ? trace : undefined, meta);
  const observed = await iutRun(iut, loaded.handle!, input.packets, meta);
  await iutUnload(iut, loaded.handle!);
  const message = compareResults(input.program, input.attach, input.packets, expected, observed);
  const at = message === null ? -1 : firstDifference(input.attach, input.packets, expected, observed);
  if (at >= 0 && !collectRules) modelResults(input.program, input.attach, input.packets, trace, meta);
  const why = at < 0 ? undefined : runExplanation(input.program, input.attach, input.packets, trace.hits, at, meta);
  return {
    ok: message === null,
    rules: trace.hits,
    ...(why ? { explanation: why } : {}),
    expected: { results: expected.map((e) => (e.deterministic ? e.result : "any")) },
    observed: { results: observed },
    ...(message
      ? {
          message: meta ? `${message}\nmetadata: ${JSON.stringify(meta)}` : message,
          key: `${input.attach} run${meta ? " with metadata" : ""}: a result differs`,
        }
      : {}),
  };
}

const loadErrno: ConformanceProperty<LoadInput> = {
  area: "bpf",
  name: "load-errno-matches-model",
  statement:
    "The IUT refuses a program exactly when the model's validator does, with the same errno, at both attach points: valid programs, programs at and one past the 64 and 4096 limits, and single mutations breaking each rejection rule.",
  citation: VALIDATOR,
  ops: ["bpf.load", "bpf.unload"],
  arbitrary: () => loadInput(),
  validateInput: validateLoadInput,
  async check(input, { iut }) {
    const program = asProgram(input.program);
    const trace = new RuleTrace();
    const verdict = validate(program, input.attach, undefined, trace);
    const loaded = await iutLoad(iut, input.program, input.attach);
    if (loaded.handle) await iutUnload(iut, loaded.handle);
    const ok = loaded.errno === verdict.errno;
    const why = ok ? undefined : loadExplanation(program, verdict, trace);
    const shown = program.length <= 80 ? `; program:\n${disassemble(program)}` : ` (${program.length} instructions)`;
    return {
      ok,
      expected: { errno: verdict.errno, rule: verdict.rule ?? null, pc: verdict.pc ?? null },
      observed: { errno: loaded.errno },
      rules: trace.hits,
      ...(why ? { explanation: why } : {}),
      ...(ok
        ? {}
        : {
            message: `${input.attach} load errno ${loaded.errno}, model ${verdict.errno}${verdict.rule ? ` (${verdict.rule} at pc ${verdict.pc ?? "-"})` : ""}${shown}`,
            key: loadKey(verdict.rule, loaded.errno),
          }),
    };
  },
};

const runMatches: ConformanceProperty<RunInput> = {
  area: "bpf",
  name: "run-matches-model",
  statement:
    "For an accepted program using only loads the request determines, every packet's result equals the model's: bytes accepted (min(return, length), 0 when dropped) on a socket, matched or not in xt_bpf.",
  citation: RUNTIME,
  ops: ["bpf.load", "bpf.run", "bpf.unload"],
  arbitrary: () => runInput({ allowAny: false }),
  validateInput: validateRunInput,
  check: loadAndRun,
  packets: runPackets,
};

const runTerminates: ConformanceProperty<RunInput> = {
  area: "bpf",
  name: "accepted-program-returns",
  statement:
    "Every accepted program terminates and returns on every packet, ancillary loads of any kind included: results the request determines equal the model's, the others are within what the context can give.",
  citation: `${RUNTIME}; bpf_check_classic() (forward jumps only)`,
  ops: ["bpf.load", "bpf.run", "bpf.unload"],
  arbitrary: () => runInput({ allowAny: true }),
  validateInput: validateRunInput,
  check: loadAndRun,
  packets: runPackets,
};

const runWithMetadata: ConformanceProperty<RunInput> = {
  area: "bpf",
  name: "run-with-metadata-matches-model",
  statement:
    "With packet metadata given (mark, VLAN tag and protocol, pkttype, queue mapping, hash, protocol, device, MAC header, network header offset), every result the request determines equals the model's: each ancillary load reads its skb field and each SKF_LL_OFF / SKF_NET_OFF load reads from the MAC / network header.",
  citation: `${RUNTIME}; convert_skb_access(), bpf_internal_load_pointer_neg_helper()`,
  ops: ["bpf.load", "bpf.run", "bpf.unload"],
  arbitrary: () => metaRunInput(),
  validateInput: validateRunInput,
  check: loadAndRun,
  packets: runPackets,
};

const xtRefuses65: ConformanceProperty<RunInput> = {
  area: "bpf",
  name: "xt-bpf-refuses-65",
  statement: "xt_bpf refuses a 65-instruction program with EINVAL even when the socket path accepts the same program.",
  citation:
    "net/netfilter/xt_bpf.c __bpf_mt_check_bytecode(): len > XT_BPF_MAX_NUM_INSTR; include/uapi/linux/netfilter/xt_bpf.h",
  ops: ["bpf.load", "bpf.unload"],
  arbitrary: () =>
    validProgram({ attaches: ["socket"] }).map(({ program }) => {
      // Pad to 65 with immediate loads in front (jumps are relative, so they keep their targets).
      const pad = Array.from(
        { length: 65 - program.length },
        (_, i) => [0x00, 0, 0, i] as [number, number, number, number],
      );
      return {
        attach: "xt_bpf" as const,
        program: [...pad, ...program.map((i) => [...i] as [number, number, number, number])],
        packets: [],
      };
    }),
  validateInput: validateRunInput,
  async check(input, { iut }) {
    const program = asProgram(input.program);
    const trace = new RuleTrace();
    const socket = validate(program, "socket", undefined, trace);
    validate(program, "xt_bpf", undefined, trace);
    const onSocket = await iutLoad(iut, input.program, "socket");
    const onXt = await iutLoad(iut, input.program, "xt_bpf");
    for (const h of [onSocket.handle, onXt.handle]) if (h) await iutUnload(iut, h);
    if (program.length !== 65)
      return { ok: true, judged: false, reason: "not a 65-instruction program", expected: null, observed: null };
    const ok = onXt.errno === EINVAL && onSocket.errno === socket.errno;
    const decided = trace.hits[onXt.errno !== EINVAL ? 1 : 0];
    const why = ok ? undefined : explanation(BPF_RULES, decided, trace.hits, [`${program.length} instructions`]);
    return {
      ok,
      rules: trace.hits,
      ...(why ? { explanation: why } : {}),
      expected: { socket: socket.errno, xt_bpf: EINVAL },
      observed: { socket: onSocket.errno, xt_bpf: onXt.errno },
      ...(ok
        ? {}
        : {
            message: `65 instructions: xt_bpf errno ${onXt.errno} (want ${EINVAL}), socket errno ${onSocket.errno} (model ${socket.errno})`,
            key: onXt.errno !== EINVAL ? `xt_bpf errno ${onXt.errno}` : `socket errno ${onSocket.errno}`,
          }),
    };
  },
};

const everything: ConformanceProperty<SessionInput> = {
  area: "bpf",
  name: "session-matches-model",
  statement:
    "Over a session of several loads (valid and invalid, both attach points), runs and unloads, every answer equals the model's: each errno, each determined result, each unload (ENOENT once a program is gone).",
  citation: `${VALIDATOR}; ${RUNTIME}`,
  ops: ["bpf.load", "bpf.run", "bpf.unload"],
  arbitrary: () => sessionInput(),
  validateInput: validateSessionInput,
  async check(input, { iut, collectRules }) {
    const expected: unknown[] = [];
    const observed: unknown[] = [];
    const unloads: string[] = [];
    const trace = new RuleTrace();
    for (const [i, step] of input.steps.entries()) {
      const program = asProgram(step.load.program);
      trace.within(`step ${i}`);
      const verdict = validate(program, step.load.attach, undefined, trace);
      const loaded = await iutLoad(iut, step.load.program, step.load.attach);
      expected.push({ step: i, errno: verdict.errno });
      observed.push({ step: i, errno: loaded.errno });
      if (loaded.errno !== verdict.errno) {
        const why = loadExplanation(program, verdict, trace);
        return {
          ok: false,
          rules: trace.hits,
          ...(why ? { explanation: why } : {}),
          expected,
          observed,
          message: `step ${i}: ${step.load.attach} load errno ${loaded.errno}, model ${verdict.errno}${verdict.rule ? ` (${verdict.rule})` : ""}; program:\n${program.length <= 80 ? disassemble(program) : `${program.length} instructions`}`,
          key: loadKey(verdict.rule, loaded.errno),
        };
      }
      if (!loaded.handle) continue;
      if (step.packets.length) {
        const sub = new RuleTrace();
        const want = modelResults(step.load.program, step.load.attach, step.packets, collectRules ? sub : undefined);
        for (const h of sub.hits) trace.hits.push({ ...h, at: `step ${i} ${h.at}` });
        const got = await iutRun(iut, loaded.handle, step.packets);
        expected.push({ step: i, results: want.map((w) => (w.deterministic ? w.result : "any")) });
        observed.push({ step: i, results: got });
        const message = compareResults(step.load.program, step.load.attach, step.packets, want, got);
        const at = message ? firstDifference(step.load.attach, step.packets, want, got) : -1;
        if (at >= 0 && !collectRules) modelResults(step.load.program, step.load.attach, step.packets, sub);
        const why =
          at < 0 ? undefined : runExplanation(step.load.program, step.load.attach, step.packets, sub.hits, at);
        if (message)
          return {
            ok: false,
            rules: trace.hits,
            ...(why ? { explanation: { ...why, at: `step ${i} ${why.at ?? ""}`.trim(), rules: trace.hits } } : {}),
            expected,
            observed,
            message: `step ${i}: ${message}`,
            key: `${step.load.attach} run: a result differs`,
          };
      }
      if (step.unload) {
        const first = await iutUnload(iut, loaded.handle);
        const second = await iutUnload(iut, loaded.handle);
        expected.push({ step: i, unload: [0, 2] });
        observed.push({ step: i, unload: [first, second] });
        if (first !== 0 || second !== 2)
          return {
            ok: false,
            expected,
            observed,
            message: `step ${i}: unload errno ${first} then ${second}, model 0 then 2 (ENOENT)`,
            key: `unload errno ${first} then ${second}`,
          };
      } else unloads.push(loaded.handle);
    }
    for (const h of unloads) {
      const e = await iutUnload(iut, h);
      if (e !== 0)
        return {
          ok: false,
          expected,
          observed: [...observed, { unload: h, errno: e }],
          message: `unloading ${h} at the end: errno ${e}, model 0`,
          key: `unload errno ${e}`,
        };
    }
    return { ok: true, expected, observed, rules: trace.hits };
  },
  packets: (input) => runPackets({ packets: input.steps.flatMap((s) => s.packets) }),
};

// biome-ignore lint/suspicious/noExplicitAny: a list holds properties of every input type
export const BPF_PROPERTIES: readonly ConformanceProperty<any>[] = [
  loadErrno,
  runMatches,
  runTerminates,
  xtRefuses65,
  everything,
  runWithMetadata,
];
