// The conformance matrix as Markdown, JSON and a self-contained HTML page with
// a chart: properties down, IUTs across; each cell how many cases conformed,
// violated or were declined, with a replayable example of a violation.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { coverageHtml, coverageMarkdown } from "./coverage-report.js";
import type { MatrixCell, MatrixResult } from "../harness/matrix.js";
import { escapeHtml } from "./html-escape.js";
import { markdownCell } from "./markdown-cell.js";

function cellText(cell: MatrixCell): string {
  if (cell.note && cell.conform + cell.violate === 0) return `n/a (${cell.note})`;
  const judged = cell.conform + cell.violate;
  // Never green on nothing: a cell that judged no case (every one declined) has no verdict.
  const verdict = cell.violate ? `${cell.violate} violate` : judged ? "conforms" : "no verdict";
  const parts = [verdict, `${judged} judged`];
  if (cell.declined) parts.push(`${cell.declined} declined`);
  if (cell.note) parts.push(cell.note);
  return parts.join(", ");
}

/** `pageDir`: where the page is written; its links to pcaps are relative to it. */
export function matrixMarkdown(m: MatrixResult, pageDir = "."): string {
  const head = `| property | ${m.iuts.map((i) => `\`${i.spec}\``).join(" | ")} | agreement |`;
  const rule = `|---|${m.iuts.map(() => "---").join("|")}|---|`;
  const rows = m.rows.map(
    (r) =>
      `| ${r.id} | ${r.cells.map((c) => `${markdownCell(`${c.profile ? `[${c.profile}] ` : ""}${cellText(c)}`)}`).join(" | ")} | ${r.compared ? `${r.agreed}/${r.compared} agree` : "-"} |`,
  );
  const examples = m.rows.flatMap((r) =>
    r.cells.flatMap((c, i) =>
      c.example
        ? [
            `- ${r.id} on \`${m.iuts[i]!.spec}\`: ${c.example.message}${c.example.pcapFile ? ` ([pcap](${hrefFrom(pageDir, c.example.pcapFile)}))` : ""}${c.example.rule ? `\n  ${c.example.rule}` : ""}\n  \`${c.example.replay}\``,
          ]
        : [],
    ),
  );
  return [
    `# nfconform conformance matrix`,
    "",
    `Seed ${m.seed}, ${m.runs} cases per property, the same cases for every IUT.`,
    "",
    head,
    rule,
    ...rows,
    "",
    ...(examples.length ? ["## One replayable violation per cell", "", ...examples, ""] : []),
    ...(m.coverage ?? []).flatMap((c) => coverageMarkdown(c.coverage, `## Model rules reached: \`${c.iut}\``)),
  ].join("\n");
}

const LABEL = 300;

/** Horizontal stacked bars, one per IUT: cases conforming, violating, declined. */
function chart(m: MatrixResult): string {
  const totals = m.iuts.map((_, i) =>
    m.rows.reduce(
      (t, r) => ({
        conform: t.conform + r.cells[i]!.conform,
        violate: t.violate + r.cells[i]!.violate,
        declined: t.declined + r.cells[i]!.declined,
      }),
      { conform: 0, violate: 0, declined: 0 },
    ),
  );
  const max = Math.max(1, ...totals.map((t) => t.conform + t.violate + t.declined));
  const width = 560;
  const bars = totals.map((t, i) => {
    const y = 20 + i * 34;
    let x = LABEL;
    const segments = (["conform", "violate", "declined"] as const).map((k) => {
      const w = (t[k] / max) * width;
      const rect = `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="22" class="${k}"><title>${k}: ${t[k]}</title></rect>`;
      x += w;
      return rect;
    });
    const spec = m.iuts[i]!.spec;
    const label = spec.length > 44 ? `${spec.slice(0, 43)}…` : spec;
    return `<text x="${LABEL - 10}" y="${y + 16}" text-anchor="end">${escapeHtml(label)}<title>${escapeHtml(spec)}</title></text>${segments.join("")}<text x="${(x + 6).toFixed(1)}" y="${y + 16}">${t.conform}/${t.violate}/${t.declined}</text>`;
  });
  const height = 40 + m.iuts.length * 34;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${LABEL + width + 120}" height="${height}" role="img" aria-label="cases per IUT">${bars.join("")}<g transform="translate(${LABEL},${height - 12})"><rect width="10" height="10" class="conform"/><text x="14" y="9">conform</text><rect x="90" width="10" height="10" class="violate"/><text x="104" y="9">violate</text><rect x="170" width="10" height="10" class="declined"/><text x="184" y="9">declined</text></g></svg>`;
}

/** A link to `file` from a page in `pageDir`, each path segment URL-encoded. */
function hrefFrom(pageDir: string, file: string): string {
  return relative(resolve(pageDir), resolve(file)).split(sep).map(encodeURIComponent).join("/");
}

/** A cell's example: links to its pcap and case file, the replay command in view, the message one click away. */
function exampleHtml(example: NonNullable<MatrixCell["example"]>, pageDir: string): string {
  const links = [
    ...(example.pcapFile ? [`<a href="${escapeHtml(hrefFrom(pageDir, example.pcapFile))}">pcap</a>`] : []),
    ...(example.caseFile ? [`<a href="${escapeHtml(hrefFrom(pageDir, example.caseFile))}">case</a>`] : []),
  ];
  return `<div class="example">${links.length ? `${links.join(" · ")}<br>` : ""}<code class="replay">${escapeHtml(example.replay)}</code><details><summary>why</summary><p>${escapeHtml(example.message)}</p>${example.rule ? `<p class="rule">${escapeHtml(example.rule)}</p>` : ""}</details></div>`;
}

/** `pageDir`: where the page is written; its links to case files and pcaps are relative to it. */
export function matrixHtml(m: MatrixResult, pageDir = "."): string {
  const header = m.iuts
    .map((i) => `<th>${escapeHtml(i.spec)}<br><small>${escapeHtml(`${i.hello.name} ${i.hello.version}`)}</small></th>`)
    .join("");
  const rows = m.rows
    .map((r) => {
      const cells = r.cells
        .map((c) => {
          const cls = c.profile === null ? "na" : c.violate ? "bad" : c.note ? "warn" : "good";
          const example = c.example ? exampleHtml(c.example, pageDir) : "";
          return `<td class="${cls}">${c.profile ? `<small>[${escapeHtml(c.profile)}]</small> ` : ""}${escapeHtml(cellText(c))}${example}</td>`;
        })
        .join("");
      const disagreement = r.disagreement
        ? `<details><summary>a differing case</summary><pre>${escapeHtml(JSON.stringify(r.disagreement, null, 1).slice(0, 3000))}</pre></details>`
        : "";
      const agreement = r.compared ? `${r.agreed}/${r.compared} agree${disagreement}` : "-";
      return `<tr><th scope="row" title="${escapeHtml(r.statement)}">${escapeHtml(r.id)}</th>${cells}<td class="${r.compared && r.agreed < r.compared ? "warn" : ""}">${agreement}</td></tr>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>nfconform conformance matrix</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222}
table{border-collapse:collapse;margin-top:16px}
th,td{border:1px solid #ccc;padding:6px 8px;vertical-align:top;font-size:13px;text-align:left}
td.good,tr.good td{background:#e6f4ea}tr.bad td{background:#fce8e6}tr.declined td{background:#f1f3f4;color:#666}td.bad{background:#fce8e6}td.warn{background:#fef7e0}td.na{background:#f1f3f4;color:#666}
rect.conform{fill:#34a853}rect.violate{fill:#ea4335}rect.declined{fill:#9aa0a6}
svg text{font-size:12px}
code,pre{font-size:11px;white-space:pre-wrap}
</style></head><body>
<h1>nfconform conformance matrix</h1>
<p>Seed ${m.seed}, ${m.runs} cases per property, the same cases for every IUT; each IUT judged against the profile it claims.</p>
${chart(m)}
<table><thead><tr><th>property</th>${header}<th>agreement</th></tr></thead><tbody>
${rows}
</tbody></table>
${(m.coverage ?? []).map((c) => coverageHtml(c.coverage, `Model rules reached: ${c.iut}`)).join("\n")}
</body></html>
`;
}

/** matrix.json names each example's case and pcap relative to its own directory, so the page moves with them. */
function relativeToPage(m: MatrixResult, dir: string): MatrixResult {
  const from = (file: string) => relative(resolve(dir), resolve(file));
  const cell = (c: MatrixCell): MatrixCell => {
    if (!c.example) return c;
    const { caseFile, pcapFile, ...rest } = c.example;
    return {
      ...c,
      example: {
        ...rest,
        ...(caseFile !== undefined ? { caseFile: from(caseFile) } : {}),
        ...(pcapFile !== undefined ? { pcapFile: from(pcapFile) } : {}),
      },
    };
  };
  return { ...m, rows: m.rows.map((r) => ({ ...r, cells: r.cells.map(cell) })) };
}

export function writeMatrixReports(dir: string, m: MatrixResult): { json: string; markdown: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const files = { json: join(dir, "matrix.json"), markdown: join(dir, "matrix.md"), html: join(dir, "matrix.html") };
  writeFileSync(files.json, `${JSON.stringify(relativeToPage(m, dir), null, 2)}\n`);
  writeFileSync(files.markdown, matrixMarkdown(m, dir));
  writeFileSync(files.html, matrixHtml(m, dir));
  return files;
}
