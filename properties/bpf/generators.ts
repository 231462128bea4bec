// fast-check generators for the bpf area. Inputs are plain JSON: programs as
// arrays of [code, jt, jf, k], packets as hex.
import fc from "fast-check";
import {
  ATTACH_POINTS,
  REJECTION_RULES,
  validate,
  type Attach,
  type RejectionRule,
} from "../../model/bpf/validator.js";
import { BPF_ABS, BPF_B, BPF_IMM, BPF_LD, insn, type Insn } from "../../model/bpf/opcodes.js";
import { skbMetaFromJson, type SkbMetaJson } from "../../iut/ops/bpf.js";
import { fromHex, toHex } from "../../wire/hex.js";
import { edgeChoiceArb, LIMIT_LENGTHS, LOAD_EDGE_RULE, LOAD_EDGES, withLoadEdge } from "./edges.js";
import { breakProgram } from "./invalid.js";
import { ipPacket } from "./packets.js";
import { buildProgram, choiceArb, probeProgram, type Choice } from "./programs.js";

export type JsonProgram = [number, number, number, number][];

export interface RunInput {
  attach: Attach;
  program: JsonProgram;
  packets: string[];
  /** The packets' metadata (bpf.run's `meta`), when the case gives any. */
  meta?: SkbMetaJson;
}

export interface LoadInput {
  attach: Attach;
  program: JsonProgram;
  /** The rule the generator meant to break, or "none" (for statistics and reports). */
  intent: RejectionRule | "none";
}

const toJson = (p: readonly Insn[]): JsonProgram => p.map((i) => [i[0], i[1], i[2], i[3]]);

/** Variants of the seed that keep it a well-formed IP packet: payload bytes flipped, and unrelated packets. */
function packetsFor(seed: Uint8Array): fc.Arbitrary<Uint8Array[]> {
  const headerLength = seed[0]! >> 4 === 6 ? 40 : 20;
  const flipped = fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, x]) => {
    const p = seed.slice();
    if (p.length > headerLength) p[headerLength + (at % (p.length - headerLength))]! ^= x;
    return p;
  });
  return fc.array(fc.oneof(flipped, ipPacket()), { minLength: 0, maxLength: 4 }).map((others) => [seed, ...others]);
}

export interface ProgramOptions {
  attaches?: readonly Attach[];
  allowAny?: boolean;
}

/**
 * A valid program (by construction) with a seed packet it is correlated with.
 * Five in six start with a boundary idiom (edges.ts), drawn with a fixed weight so
 * every edge comes up in a default run of 100 cases.
 */
export function validProgram(options: ProgramOptions = {}) {
  // A variable-length list of choices, so shrinking drops instructions.
  const choices = fc.oneof(
    { weight: 8, arbitrary: fc.array(choiceArb, { maxLength: 23 }) },
    { weight: 2, arbitrary: fc.array(choiceArb, { minLength: 24, maxLength: 63 }) },
  );
  return fc
    .record({
      attach: fc.constantFrom(...(options.attaches ?? ATTACH_POINTS)),
      seed: ipPacket(),
      final: choiceArb,
      choices,
      edge: fc.option(edgeChoiceArb, { freq: 6 }),
    })
    .map(({ attach, seed, final, choices: cs, edge }) => ({
      attach,
      seed,
      program: buildProgram(seed, cs as Choice[], final, { attach, allowAny: options.allowAny ?? false, edge }),
    }));
}

/** A valid program and packets to run it on. */
export function runInput(options: ProgramOptions = {}): fc.Arbitrary<RunInput> {
  return validProgram(options).chain(({ attach, seed, program }) =>
    packetsFor(seed).map((packets) => ({ attach, program: toJson(program), packets: packets.map(toHex) })),
  );
}

/** The rejection rules that neither a length limit nor a load edge (edges.ts) breaks: only `broken` below reaches them. */
const ONLY_BROKEN = REJECTION_RULES.filter(
  (rule) => rule !== "xt-count" && rule !== "length" && !(Object.values(LOAD_EDGE_RULE) as string[]).includes(rule),
);

/** Filler for programs at the length limits: immediate loads (cheap to convert) or packet loads (charged over optmem). */
function pad(count: number, packetLoads: boolean): Insn[] {
  return Array.from({ length: count }, (_, i) =>
    packetLoads ? insn(BPF_LD | BPF_B | BPF_ABS, 0, 0, i % 20) : insn(BPF_LD | BPF_IMM, 0, 0, i),
  );
}

/**
 * Programs to load: valid ones; ones at and one past the length limits at
 * both attach points; one instruction at a validator limit (edges.ts); and
 * single mutations breaking each rejection rule. The limits, the edges and
 * the mutations have fixed weights so that each comes up in a default run.
 */
export function loadInput(): fc.Arbitrary<LoadInput> {
  const valid = validProgram().map(
    ({ attach, program }): LoadInput => ({ attach, program: toJson(program), intent: "none" }),
  );
  const atLimit = fc
    .record({
      length: fc.constantFrom(...LIMIT_LENGTHS),
      attach: fc.constantFrom(...ATTACH_POINTS),
      base: validProgram({ attaches: ["socket"] }),
      packetLoads: fc.boolean(),
    })
    .map(({ length, attach, base, packetLoads }): LoadInput => {
      // Filler in front keeps every relative jump's target and every store before its load.
      const program = [...pad(length - base.program.length, packetLoads), ...base.program];
      return { attach, program: toJson(program), intent: validate(program, attach).rule ?? "none" };
    });
  const atEdge = fc.record({ base: validProgram(), edge: fc.constantFrom(...LOAD_EDGES), pick: fc.nat() }).map(
    ({ base, edge, pick }): LoadInput => ({
      attach: base.attach,
      program: toJson(withLoadEdge(base.program, edge, pick)),
      intent: LOAD_EDGE_RULE[edge],
    }),
  );
  const broken = fc
    .record({
      base: validProgram({}),
      // The rules no limit or edge above reaches are drawn more often: they come up only here.
      rule: fc.oneof(
        { weight: 1, arbitrary: fc.constantFrom(...REJECTION_RULES) },
        { weight: 2, arbitrary: fc.constantFrom(...ONLY_BROKEN) },
      ),
      pick: fc.nat(),
      extra: fc.array(choiceArb, { minLength: 64, maxLength: 64 }),
    })
    .map(({ base, rule, pick, extra }): LoadInput => {
      let program = base.program;
      let attach = base.attach;
      if (rule === "xt-count" || (rule === "length" && pick % 2 === 1)) {
        // One past a limit: 65 for xt_bpf, 4097 for the socket.
        const length = rule === "xt-count" ? 65 : 4097;
        const choices = Array.from({ length: length - 1 }, (_, i) => extra[i % extra.length]!);
        program = buildProgram(base.seed, choices, extra[0]!, { attach: "socket", allowAny: false });
        attach = rule === "xt-count" ? "xt_bpf" : attach;
      } else program = breakProgram(program, rule, pick);
      if (rule === "optmem" || rule === "jump-offset") attach = "socket";
      return { attach, program: toJson(program), intent: rule };
    });
  return fc.oneof(
    { weight: 1, arbitrary: valid },
    { weight: 5, arbitrary: atLimit },
    { weight: 6, arbitrary: atEdge },
    { weight: 3, arbitrary: broken },
  );
}

/** A session of several loads, runs and unloads, for the catch-all property. */
export interface SessionInput {
  steps: { load: LoadInput; packets: string[]; unload: boolean }[];
}

export function sessionInput(): fc.Arbitrary<SessionInput> {
  const step = fc.oneof(
    {
      weight: 3,
      arbitrary: runInput({ allowAny: true }).map((r) => ({
        load: { attach: r.attach, program: r.program, intent: "none" as const },
        packets: r.packets,
      })),
    },
    { weight: 1, arbitrary: loadInput().map((load) => ({ load, packets: [] as string[] })) },
  );
  return fc.array(fc.record({ step, unload: fc.boolean() }), { minLength: 1, maxLength: 4 }).map((steps) => ({
    steps: steps.map(({ step: s, unload }) => ({ ...s, unload })),
  }));
}

/**
 * Packet metadata: any subset of the fields, with values the kernel's fields
 * can hold. Seven values in eight are ones a frame received on an Ethernet
 * device carries (queue 0, a host..otherhost type, an ARPHRD_ETHER device
 * with an index above those a namespace's own devices hold, a 14-byte MAC
 * header with the network header at 0 or none with it at 14, a protocol its
 * EtherType gives), which the kernel IUT gives for real
 * (iut/linux/bpf/rx-plan.ts); the eighth is any value, so the model's rules
 * for the rest (other MAC lengths and offsets, hatypes, queues) are still
 * drawn, and declined by the kernel IUT with the reason. The hash and the
 * mark are any value: the kernel IUT sets both.
 */
export function skbMetaArb(): fc.Arbitrary<SkbMetaJson> {
  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  const received = <T>(onReceive: fc.Arbitrary<T>, any: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 7, arbitrary: onReceive }, { weight: 1, arbitrary: any });
  return fc
    .record(
      {
        mark: fc.oneof(u32, fc.nat(16)),
        vlan: received(
          fc.oneof(
            fc.record({ proto: fc.constantFrom(0x8100, 0x88a8), tci: fc.nat(0xffff) }),
            fc.constant({ proto: 0, tci: 0 }), // no tag
          ),
          fc.record({ proto: fc.constantFrom(0x8100, 0x88a8, 0, 0x0800), tci: fc.nat(0xffff) }),
        ),
        pkttype: received(fc.nat(3), fc.nat(7)),
        queue: received(fc.constant(0), fc.oneof(fc.nat(0xffff), fc.nat(8))),
        rxhash: fc.oneof(fc.constant(0), u32),
        protocol: received(fc.constantFrom(0x0800, 0x86dd, 0x0806), fc.constantFrom(0x0800, 0x86dd, 0x0806, 0x8100, 0)),
        device: fc.option(
          fc.record({
            // lo is 1; a namespace's first devices (its test network, fallback tunnels) take the next few.
            ifindex: received(fc.integer({ min: 32, max: 0x7fffffff }), fc.integer({ min: 1, max: 0x7fffffff })),
            hatype: received(fc.constant(1), fc.constantFrom(1, 772, 776, 65534)),
          }),
          { nil: null },
        ),
        mac: fc.option(
          received(fc.constantFrom(0, 14), fc.nat(22)).chain((n) =>
            fc.uint8Array({ minLength: n, maxLength: n }).map(toHex),
          ),
          { nil: null },
        ),
        network: received(fc.constantFrom(0, 14), fc.nat(14)),
      },
      { requiredKeys: [] },
    )
    .map(asReceived);
}

const ETHER_PROTOCOLS = new Set([0x0800, 0x86dd, 0x0806]);

/**
 * xt_bpf sees a received frame at its network header, after the 14-byte MAC
 * header (a bridge's PREROUTING, ip_rcv()): a drawn SOCK_RAW view (no MAC
 * header, network at 14) becomes that one, as asReceived() would draw it.
 */
function atNetworkHeader(meta: SkbMetaJson): SkbMetaJson {
  if (meta.mac !== "") return meta;
  // A destination of the drawn packet type (eth_type_trans()), the kernel IUT's own for host; an IPv4 EtherType.
  const dst = ["0200000000aa", "ffffffffffff", "01005e000001", "0200000000cc"][meta.pkttype ?? 0] ?? "0200000000aa";
  return asReceived({ ...meta, mac: `${dst}0200000000bb0800` });
}

/**
 * Where a drawn Ethernet MAC header and network offset or protocol disagree,
 * as no received frame has them: a packet socket sees the network header at
 * 0 after a 14-byte MAC header (SOCK_DGRAM) or at 14 with none (SOCK_RAW,
 * packet_rcv()), and eth_type_trans() takes the protocol from the header's
 * EtherType. Other lengths and offsets are left as drawn.
 */
function asReceived(meta: SkbMetaJson): SkbMetaJson {
  if (typeof meta.mac !== "string") return meta;
  const bytes = meta.mac.length / 2;
  if (bytes !== 0 && bytes !== 14) return meta;
  const out = { ...meta };
  if (out.network === 0 || out.network === 14) out.network = bytes === 0 ? 14 : 0;
  if (bytes !== 14) return out;
  const mac = fromHex(out.mac!);
  // A sender's source MAC is unicast and not zero (a bridge drops others: br_handle_frame()).
  mac[6] = (mac[6]! & 0xfe) | 0x02;
  // The destination gives the packet type (eth_type_trans()).
  if (out.pkttype === 0 || out.pkttype === 3) mac[0] = (mac[0]! & 0xfe) | 0x02;
  else if (out.pkttype === 1) mac.fill(0xff, 0, 6);
  else if (out.pkttype === 2) [mac[0], mac[5]] = [mac[0]! | 1, 1];
  if (out.protocol !== undefined && ETHER_PROTOCOLS.has(out.protocol))
    [mac[12], mac[13]] = [out.protocol >> 8, out.protocol & 0xff];
  out.mac = toHex(mac);
  return out;
}

/** A valid program reading the run's metadata, with packets to run it on (meta is never empty). */
export function metaRunInput(): fc.Arbitrary<RunInput> {
  return fc
    .record({
      attach: fc.constantFrom(...ATTACH_POINTS),
      seed: ipPacket(),
      final: choiceArb,
      choices: fc.array(choiceArb, { maxLength: 23 }),
      // One in four gives only a mark, which a kernel sets on any packet it sends (SO_MARK).
      meta: fc.oneof(
        { weight: 3, arbitrary: skbMetaArb().filter((m) => Object.keys(m).length > 0) },
        { weight: 1, arbitrary: fc.record({ mark: fc.integer({ min: 0, max: 0xffffffff }) }) },
      ),
      probe: fc.option(fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), { freq: 2 }),
    })
    .chain(({ attach, seed, final, choices, meta: drawn, probe }) => {
      const meta = attach === "xt_bpf" ? atNetworkHeader(drawn) : drawn;
      // One in two a probe of the fields (every read checked), else a random program reading them.
      const skb = skbMetaFromJson(meta);
      const program = probe
        ? probeProgram(seed, attach, skb, probe)
        : buildProgram(seed, choices as Choice[], final, { attach, allowAny: false, meta: skb });
      return packetsFor(seed).map((packets) => ({
        attach,
        program: toJson(program),
        packets: packets.map(toHex),
        meta,
      }));
    });
}
