// The frag6 spec-clarification table (harness/frag6-clarification.ts) as
// Markdown and HTML: pattern classes down, IUTs/profiles across, in each cell
// what the IUT did with that class's streams.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ClarificationTable } from "../harness/frag6-clarification.js";

const TITLE = "IPv6 reassembly: spec clarification";

/** What the table is and what its cells say, written once for both formats. */
function legend(seed: number): string {
  return `What each IUT did with each pattern (seed ${seed}), generated from runs. "delivered": the first datagram reached the upper layer intact; "discarded": it did not; "altered": something other than the original datagrams was delivered; ICMP errors as type code/pointer ("ICMP not observed": the IUT could not watch for errors in full for that stream, e.g. a kernel queue left to expire). A model profile that leaves choices (rfc8200) answers with one allowed outcome; "declined": the IUT could not represent the stream, or the model does not predict it.`;
}

const escapeMd = (s: string) => s.replace(/\|/g, "\\|");
const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function clarificationMarkdown(table: ClarificationTable): string {
  const head = `| pattern | source | streams | ${table.columns.map(escapeMd).join(" | ")} |`;
  const rule = `|---|---|---|${table.columns.map(() => "---").join("|")}|`;
  const body = table.rows.map(
    (r) => `| ${escapeMd(r.pattern)} | ${r.source} | ${r.streams} | ${r.cells.map(escapeMd).join(" | ")} |`,
  );
  return [`# ${TITLE}`, "", legend(table.seed), "", head, rule, ...body, ""].join("\n");
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
<html lang="en"><head><meta charset="utf-8"><title>${TITLE}</title>
<style>table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px;font:13px sans-serif;vertical-align:top}</style></head>
<body><h1>${TITLE}</h1><p>${escapeHtml(legend(table.seed))}</p>
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
