// The frag6 spec-clarification table (harness/frag6-clarification.ts) as
// Markdown and HTML: pattern classes down, IUTs/profiles across, in each cell
// what the IUT did with that class's streams. The HTML page also draws each
// row's first stream on a byte axis (fragment-picture.ts), colours the
// outcomes, and quotes the spec sentence the row tests.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  cellParts,
  cellText,
  type ClarificationCell,
  type ClarificationRow,
  type ClarificationTable,
} from "../harness/frag6-clarification.js";
import { SPEC_QUOTES, type SpecQuote } from "../properties/frag6/spec-quotes.js";
import { FRAG6_CLASSES, type Frag6Class } from "../properties/frag6/stream.js";
import { fragmentSvg, pictureOf } from "./fragment-picture.js";
import { escapeHtml } from "./html-escape.js";
import { markdownCell } from "./markdown-cell.js";

const TITLE = "IPv6 reassembly: spec clarification";

/** What the table is and what its cells say, written once for both formats. */
function legend(seed: number): string {
  return `What each IUT did with each pattern (seed ${seed}), generated from runs. "delivered": the first datagram reached the upper layer intact; "discarded": it did not; "altered": something other than the original datagrams was delivered; ICMP errors as type code/pointer ("ICMP not observed": the IUT could not watch for errors in full for that stream, e.g. a kernel queue left to expire). A model profile that leaves choices (rfc8200) answers with one allowed outcome; "declined": the IUT could not represent the stream, or the model does not predict it; "crashed": the implementation crashed on it (its adapter said so and lived on); "iut-error": the IUT failed on it (the adapter died, or answered internal).`;
}

/** The classes the table's rows exercise, each once, in FRAG6_CLASSES order. */
function classesOf(table: ClarificationTable): Frag6Class[] {
  const used = new Set(table.rows.flatMap((r) => r.classes));
  return FRAG6_CLASSES.filter((c) => used.has(c));
}

function quoteMarkdown(cls: Frag6Class, q: SpecQuote): string {
  return `- **${cls}**: ${q.silent ? `${q.silent} ` : ""}${q.source}: "${q.text}"`;
}

export function clarificationMarkdown(table: ClarificationTable): string {
  const head = `| pattern | source | streams | ${table.columns.map(markdownCell).join(" | ")} |`;
  const rule = `|---|---|---|${table.columns.map(() => "---").join("|")}|`;
  const body = table.rows.map(
    (r) =>
      `| ${markdownCell(r.pattern)} | ${r.source} | ${r.streams} | ${r.cells.map((c) => markdownCell(cellText(c))).join(" | ")} |`,
  );
  const quotes = classesOf(table).map((c) => quoteMarkdown(c, SPEC_QUOTES[c]));
  return [
    `# ${TITLE}`,
    "",
    legend(table.seed),
    "",
    head,
    rule,
    ...body,
    "",
    "## The spec text each pattern class tests",
    "",
    ...quotes,
    "",
  ].join("\n");
}

/** Outcome colours, one CSS class each, shared by the cells and the legend. */
const OUTCOME_CSS = `.chip{display:inline-block;margin:1px 2px;padding:1px 6px;border-radius:9px;border:1px solid;font-size:12px;white-space:nowrap}
.delivered{background:#e6f4ea;border-color:#34a853;color:#0d652d}
.discarded{background:#fce8e6;border-color:#d93025;color:#a50e0e}
.altered{background:#fef7e0;border-color:#e37400;color:#8a4500}
.declined{background:#f1f3f4;border-color:#9aa0a6;color:#3c4043}
.crashed{background:#a50e0e;border-color:#a50e0e;color:#fff}
.iut-error{background:#202124;border-color:#202124;color:#fff}
.param-problem{background:#f3e8fd;border-color:#9334e6;color:#681da8}
.time-exceeded{background:#e8f0fe;border-color:#1a73e8;color:#174ea6}
.other{background:#fff;border-color:#5f6368;color:#3c4043}
.not-observed{background:repeating-linear-gradient(135deg,#fff 0 4px,#e8eaed 4px 8px);border-color:#9aa0a6;border-style:dashed;color:#5f6368}`;

function chip(kind: string, text: string): string {
  return `<span class="chip ${kind.replace(/ /g, "-")}">${escapeHtml(text)}</span>`;
}

function cellHtml(c: ClarificationCell): string {
  return `<td>${cellParts(c)
    .map((p) => chip(p.kind, p.text))
    .join(" ")}</td>`;
}

function quoteHtml(q: SpecQuote): string {
  const silent = q.silent ? `<p class="silent">${escapeHtml(q.silent)}</p>` : "";
  return `<blockquote>${silent}<p>“${escapeHtml(q.text)}”</p><cite>${escapeHtml(q.source)}</cite></blockquote>`;
}

function patternHtml(r: ClarificationRow): string {
  const how =
    r.source === "kernel-facts"
      ? "kernel-facts pattern"
      : `generated, ${r.streams} stream${r.streams === 1 ? "" : "s"}${r.streams > 1 ? "; the first drawn" : ""}`;
  const classes = r.source === "kernel-facts" ? ` (${r.classes.join(", ")})` : "";
  const quotes = [...new Set(r.classes.map((c) => SPEC_QUOTES[c]))].map(quoteHtml).join("");
  const picture = r.drawn ? fragmentSvg(pictureOf(r.drawn, `${r.pattern}: fragments by arrival`)) : "";
  return `<td class="pattern"><b>${escapeHtml(r.pattern)}</b><small>${escapeHtml(`${classes} ${how}`)}</small>${quotes}${picture}</td>`;
}

/** What the colours and marks mean, once at the top. */
function legendHtml(): string {
  const outcomes = [
    chip("delivered", "delivered"),
    chip("discarded", "discarded"),
    chip("altered", "altered"),
    chip("declined", "declined"),
    chip("crashed", "crashed"),
    chip("iut-error", "iut-error"),
    chip("param-problem", "ICMP param-problem code/pointer"),
    chip("time-exceeded", "ICMP time-exceeded code"),
    chip("not observed", "ICMP not observed"),
  ].join(" ");
  const swatch = (fill: string, extra = "") =>
    `<svg width="22" height="12" aria-hidden="true"><rect x="1" y="1" width="20" height="10" fill="${fill}" stroke="#202124" stroke-width="0.6"${extra}/></svg>`;
  const marks = [
    `${swatch("#4e79a7")}${swatch("#76b7b2")} a fragment, one colour per datagram (queue key); one lane per packet, in arrival order (#1 first), bar from its offset to its end, to scale`,
    `${swatch("#4e79a7", ' fill-opacity="0.35" stroke-dasharray="3 2"')} an atomic fragment (offset 0, M=0: no queue)`,
    `${swatch("#f28e2b")} bytes overlapping an earlier fragment, same bytes`,
    `${swatch("#e15759")} bytes overlapping an earlier fragment, different bytes`,
    `<svg width="22" height="12" aria-hidden="true"><rect x="10" y="0" width="2" height="12" fill="#202124"/></svg> a fragment with no data`,
    `<svg width="22" height="12" aria-hidden="true"><line x1="11" y1="0" x2="11" y2="12" stroke="#202124" stroke-dasharray="4 3"/></svg> where the first datagram ends`,
    `<svg width="22" height="12" aria-hidden="true"><rect x="4" y="0" width="14" height="12" fill="#f1f3f4"/></svg> ≈ axis broken: a long stretch with no fragment left out`,
  ].map((m) => `<li>${m}</li>`);
  return `<div class="legend"><p><b>Outcomes</b> ${outcomes}</p><ul>${marks.join("")}</ul></div>`;
}

export function clarificationHtml(table: ClarificationTable): string {
  const th = ["pattern", ...table.columns].map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const rows = table.rows.map((r) => `<tr>${patternHtml(r)}${r.cells.map(cellHtml).join("")}</tr>`).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${TITLE}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#202124}
table{border-collapse:collapse;margin-top:12px}
td,th{border:1px solid #ccc;padding:6px 8px;font-size:13px;vertical-align:top;text-align:left}
td.pattern small{color:#5f6368;margin-left:6px}
blockquote{margin:6px 0;padding:2px 8px;border-left:3px solid #9aa0a6;max-width:700px;font-size:12px;color:#3c4043}
blockquote p{margin:2px 0}blockquote cite{color:#5f6368}p.silent{font-style:italic}
svg.fragments{display:block;margin-top:4px}
.legend ul{list-style:none;padding:0;margin:4px 0;font-size:13px}.legend li{margin:2px 0}.legend svg{vertical-align:middle;margin-right:4px}
${OUTCOME_CSS}
</style></head>
<body><h1>${TITLE}</h1><p>${escapeHtml(legend(table.seed))}</p>
${legendHtml()}
<table><thead><tr>${th}</tr></thead><tbody>
${rows}
</tbody></table></body></html>
`;
}

/** Writes frag6-clarification.md and .html into `dir`; returns their paths. The CLI calls this. */
export function writeFrag6Clarification(dir: string, table: ClarificationTable): { markdown: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const markdown = join(dir, "frag6-clarification.md");
  const html = join(dir, "frag6-clarification.html");
  writeFileSync(markdown, clarificationMarkdown(table));
  writeFileSync(html, clarificationHtml(table));
  return { markdown, html };
}
