// The frag6 spec-clarification table: pattern classes down, IUTs/profiles
// across, in each cell what the IUT did with that class's streams. Filled
// from runs (each stream sent through frag6.run to each column's IUT), never
// typed by hand. Rows: the regression patterns of kernel-facts.md, then each
// generated pattern class.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { AdapterReplyError, type Iut } from "../iut/iut.js";
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

type Fate = "delivered" | "discarded" | "altered" | "declined";

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
      if (!(error instanceof AdapterReplyError) || error.code === "internal") throw error;
      result = { fate: "declined", icmp: [] };
    }
    fates.set(result.fate, (fates.get(result.fate) ?? 0) + 1);
    for (const i of new Set(result.icmp)) icmp.set(i, (icmp.get(i) ?? 0) + 1);
  }
  const n = streams.length;
  const parts = (["delivered", "discarded", "altered", "declined"] as Fate[])
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

const escapeMd = (s: string) => s.replace(/\|/g, "\\|");
const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function clarificationMarkdown(table: ClarificationTable): string {
  const head = `| pattern | source | streams | ${table.columns.map(escapeMd).join(" | ")} |`;
  const rule = `|---|---|---|${table.columns.map(() => "---").join("|")}|`;
  const body = table.rows.map(
    (r) => `| ${escapeMd(r.pattern)} | ${r.source} | ${r.streams} | ${r.cells.map(escapeMd).join(" | ")} |`,
  );
  return [
    "# IPv6 reassembly: spec clarification",
    "",
    `What each IUT did with each pattern (seed ${table.seed}). "delivered": the first datagram reached the upper layer intact; "discarded": it did not; "altered": something other than the original datagrams was delivered; ICMP errors as type code/pointer ("ICMP not observed": the IUT could not watch for errors in full for that stream, e.g. a kernel queue left to expire). A model profile that leaves choices (rfc8200) answers with one allowed outcome; "declined": the IUT could not represent the stream, or the model does not predict it.`,
    "",
    head,
    rule,
    ...body,
    "",
  ].join("\n");
}

export function clarificationHtml(table: ClarificationTable): string {
  const th = ["pattern", "source", "streams", ...table.columns].map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const rows = table.rows
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.pattern)}</td><td>${r.source}</td><td>${r.streams}</td>${r.cells.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`,
    )
    .join("\n");
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>IPv6 reassembly: spec clarification</title>
<style>table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px;font:13px sans-serif;vertical-align:top}</style></head>
<body><h1>IPv6 reassembly: spec clarification</h1><p>Seed ${table.seed}. Generated from runs. "delivered": the first datagram reached the upper layer intact; "discarded": it did not; "altered": something other than the original datagrams was delivered; ICMP errors as type code/pointer; "ICMP not observed": the IUT could not watch for errors in full for that stream. A model profile that leaves choices (rfc8200) answers with one allowed outcome.</p>
<table><thead><tr>${th}</tr></thead><tbody>
${rows}
</tbody></table></body></html>
`;
}

/** Writes frag6-clarification.md and .html into `dir`; returns their paths. The CLI calls this. */
export async function writeFrag6Clarification(
  dir: string,
  columns: readonly ClarificationColumn[],
  options: { seed: number; perClass: number },
): Promise<{ markdown: string; html: string }> {
  const table = await frag6ClarificationTable(columns, options);
  mkdirSync(dir, { recursive: true });
  const markdown = join(dir, "frag6-clarification.md");
  const html = join(dir, "frag6-clarification.html");
  writeFileSync(markdown, clarificationMarkdown(table));
  writeFileSync(html, clarificationHtml(table));
  return { markdown, html };
}
