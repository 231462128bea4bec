// The frag6 spec-clarification table, filled from runs: every pattern's
// streams sent through frag6.run to each column's IUT, each stream's outcome
// classified, one cell per pattern and IUT. Never typed by hand. Rows: the
// regression patterns of kernel-facts.md, then each generated pattern class.
// reporting/frag6-clarification.ts renders it.
import fc from "fast-check";
import { AdapterReplyError, IutError, type Iut } from "../iut/iut.js";
import type { Observed } from "../model/frag6/judge.js";
import { frag6Stream } from "../properties/frag6/generators.js";
import { iutRun } from "../properties/frag6/iut-calls.js";
import { frag6SeedCases } from "../properties/frag6/seed-cases.js";
import { FRAG6_CLASSES, type Frag6Class, type StreamInput } from "../properties/frag6/stream.js";
import { ICMPV6_PARAMPROB, ICMPV6_TIME_EXCEED } from "../wire/protocol-numbers.js";

export interface ClarificationColumn {
  /** Column heading, e.g. "model linux-nfct" or "linux (6.18)". */
  label: string;
  iut: Iut;
}

/**
 * `crashed`: the implementation crashed on the stream and its adapter said so (a finding).
 * `iut-error`: the IUT failed on the stream (an adapter that died, or answered `internal`).
 * Both shown, never fatal to the table.
 */
export type Fate = "delivered" | "discarded" | "altered" | "declined" | "crashed" | "iut-error";
export const FATES: readonly Fate[] = ["delivered", "discarded", "altered", "declined", "crashed", "iut-error"];

/** An ICMP error as a cell counts it: its kind (the page colours by it) and its words, e.g. "param-problem 3/0". */
export interface IcmpSeen {
  kind: "param-problem" | "time-exceeded" | "other" | "not observed";
  label: string;
}

/** What one IUT did with one row's streams: how many met each fate, how many saw each ICMP error. */
export interface ClarificationCell {
  streams: number;
  fates: { fate: Fate; count: number }[];
  icmp: (IcmpSeen & { count: number })[];
}

export interface ClarificationRow {
  pattern: string;
  /** How the row's streams were made. */
  source: "kernel-facts" | "generated";
  /** The pattern classes the row exercises (the clarification page quotes their spec text). */
  classes: Frag6Class[];
  streams: number;
  /** The row's first stream, as the page draws it (null: the row has none). */
  drawn: StreamInput | null;
  cells: ClarificationCell[];
}

export interface ClarificationTable {
  columns: string[];
  rows: ClarificationRow[];
  seed: number;
}

/** What happened to one stream's first datagram, and which ICMP errors came back. */
function fate(input: StreamInput, observed: Observed): { fate: Fate; icmp: IcmpSeen[] } {
  const original = input.originals[0];
  const delivered = observed.delivered.map((d) => d.packet);
  const f: Fate = delivered.some((p) => !input.originals.includes(p))
    ? "altered"
    : delivered.includes(original ?? "")
      ? "delivered"
      : "discarded";
  // An IUT that could not watch ICMP in full for this stream leaves it out: say so rather than show "no ICMP".
  if (!observed.icmp) return { fate: f, icmp: [{ kind: "not observed", label: "not observed" }] };
  const icmp = observed.icmp.map(
    (e): IcmpSeen =>
      e.type === ICMPV6_PARAMPROB
        ? { kind: "param-problem", label: `param-problem ${e.code}/${e.pointer}` }
        : e.type === ICMPV6_TIME_EXCEED
          ? { kind: "time-exceeded", label: `time-exceeded ${e.code}` }
          : { kind: "other", label: `type ${e.type}` },
  );
  return { fate: f, icmp };
}

async function cell(iut: Iut, streams: readonly StreamInput[]): Promise<ClarificationCell> {
  const fates = new Map<Fate, number>();
  const icmp = new Map<string, IcmpSeen & { count: number }>();
  for (const s of streams) {
    let result: { fate: Fate; icmp: IcmpSeen[] };
    try {
      await iut.call("reset", {});
      result = fate(s, await iutRun(iut, s));
    } catch (error) {
      if (error instanceof IutError || (error instanceof AdapterReplyError && error.code === "internal"))
        result = { fate: "iut-error", icmp: [] };
      else if (error instanceof AdapterReplyError && error.code === "crashed") result = { fate: "crashed", icmp: [] };
      else if (error instanceof AdapterReplyError) result = { fate: "declined", icmp: [] };
      else throw error;
    }
    fates.set(result.fate, (fates.get(result.fate) ?? 0) + 1);
    // Each kind of error counted once per stream, in the order first seen.
    for (const i of new Map(result.icmp.map((e) => [e.label, e])).values()) {
      const seen = icmp.get(i.label);
      if (seen) seen.count++;
      else icmp.set(i.label, { ...i, count: 1 });
    }
  }
  return {
    streams: streams.length,
    fates: FATES.filter((f) => fates.has(f)).map((f) => ({ fate: f, count: fates.get(f)! })),
    icmp: [...icmp.values()],
  };
}

/** A cell's parts in words, each with the kind it is coloured by, e.g. "discarded 1/5" or "ICMP param-problem 3/0 1/5" (counts left out for one stream). */
export function cellParts(c: ClarificationCell): { kind: Fate | IcmpSeen["kind"]; text: string }[] {
  const of = (count: number) => (c.streams === 1 ? "" : ` ${count}/${c.streams}`);
  return [
    ...c.fates.map((f) => ({ kind: f.fate, text: `${f.fate}${of(f.count)}` })),
    ...c.icmp.map((i) => ({ kind: i.kind, text: `ICMP ${i.label}${of(i.count)}` })),
  ];
}

/** A cell in words, e.g. "delivered 4/5; discarded 1/5; ICMP param-problem 3/0 1/5". */
export function cellText(c: ClarificationCell): string {
  return cellParts(c)
    .map((p) => p.text)
    .join("; ");
}

/** Runs every pattern against every column. `perClass` generated streams per class (seeded). */
export async function frag6ClarificationTable(
  columns: readonly ClarificationColumn[],
  options: { seed: number; perClass: number },
): Promise<ClarificationTable> {
  const rows: ClarificationRow[] = [];
  for (const seed of frag6SeedCases()) {
    const cells: ClarificationCell[] = [];
    for (const c of columns) cells.push(await cell(c.iut, [seed.input]));
    rows.push({
      pattern: seed.name,
      source: "kernel-facts",
      classes: seed.input.labels,
      streams: 1,
      drawn: seed.input,
      cells,
    });
  }
  for (const cls of FRAG6_CLASSES) {
    const streams = fc.sample(frag6Stream({ classes: [cls] }), { seed: options.seed, numRuns: options.perClass });
    const cells: ClarificationCell[] = [];
    for (const c of columns) cells.push(await cell(c.iut, streams));
    rows.push({
      pattern: cls,
      source: "generated",
      classes: [cls],
      streams: streams.length,
      drawn: streams[0] ?? null,
      cells,
    });
  }
  return { columns: columns.map((c) => c.label), rows, seed: options.seed };
}
