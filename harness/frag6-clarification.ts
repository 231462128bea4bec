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
import { FRAG6_CLASSES, type StreamInput } from "../properties/frag6/stream.js";

export interface ClarificationColumn {
  /** Column heading, e.g. "model linux-nfct" or "linux (6.18)". */
  label: string;
  iut: Iut;
}

export interface ClarificationRow {
  pattern: string;
  /** How the row's streams were made. */
  source: "kernel-facts" | "generated";
  streams: number;
  cells: string[];
}

export interface ClarificationTable {
  columns: string[];
  rows: ClarificationRow[];
  seed: number;
}

/** `iut-error`: the IUT failed on the stream (an adapter that crashed, or answered `internal`): shown, never fatal to the table. */
type Fate = "delivered" | "discarded" | "altered" | "declined" | "iut-error";

/** What happened to one stream's first datagram, and which ICMP errors came back. */
function fate(input: StreamInput, observed: Observed): { fate: Fate; icmp: string[] } {
  const original = input.originals[0];
  const delivered = observed.delivered.map((d) => d.packet);
  const f: Fate = delivered.some((p) => !input.originals.includes(p))
    ? "altered"
    : delivered.includes(original ?? "")
      ? "delivered"
      : "discarded";
  // An IUT that could not watch ICMP in full for this stream leaves it out: say so rather than show "no ICMP".
  if (!observed.icmp) return { fate: f, icmp: ["not observed"] };
  const icmp = observed.icmp.map((e) =>
    e.type === 4 ? `param-problem ${e.code}/${e.pointer}` : e.type === 3 ? `time-exceeded ${e.code}` : `type ${e.type}`,
  );
  return { fate: f, icmp };
}

async function cell(iut: Iut, streams: readonly StreamInput[]): Promise<string> {
  const fates = new Map<Fate, number>();
  const icmp = new Map<string, number>();
  for (const s of streams) {
    let result: { fate: Fate; icmp: string[] };
    try {
      await iut.call("reset", {});
      result = fate(s, await iutRun(iut, s));
    } catch (error) {
      if (error instanceof IutError || (error instanceof AdapterReplyError && error.code === "internal"))
        result = { fate: "iut-error", icmp: [] };
      else if (error instanceof AdapterReplyError) result = { fate: "declined", icmp: [] };
      else throw error;
    }
    fates.set(result.fate, (fates.get(result.fate) ?? 0) + 1);
    for (const i of new Set(result.icmp)) icmp.set(i, (icmp.get(i) ?? 0) + 1);
  }
  const n = streams.length;
  const parts = (["delivered", "discarded", "altered", "declined", "iut-error"] as Fate[])
    .filter((f) => fates.has(f))
    .map((f) => (n === 1 ? f : `${f} ${fates.get(f)}/${n}`));
  const icmpParts = [...icmp].map(([k, c]) => (n === 1 ? `ICMP ${k}` : `ICMP ${k} ${c}/${n}`));
  return [...parts, ...icmpParts].join("; ");
}

/** Runs every pattern against every column. `perClass` generated streams per class (seeded). */
export async function frag6ClarificationTable(
  columns: readonly ClarificationColumn[],
  options: { seed: number; perClass: number },
): Promise<ClarificationTable> {
  const rows: ClarificationRow[] = [];
  for (const seed of frag6SeedCases()) {
    const cells: string[] = [];
    for (const c of columns) cells.push(await cell(c.iut, [seed.input]));
    rows.push({ pattern: seed.name, source: "kernel-facts", streams: 1, cells });
  }
  for (const cls of FRAG6_CLASSES) {
    const streams = fc.sample(frag6Stream({ classes: [cls] }), { seed: options.seed, numRuns: options.perClass });
    const cells: string[] = [];
    for (const c of columns) cells.push(await cell(c.iut, streams));
    rows.push({ pattern: cls, source: "generated", streams: streams.length, cells });
  }
  return { columns: columns.map((c) => c.label), rows, seed: options.seed };
}
