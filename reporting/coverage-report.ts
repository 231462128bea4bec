// Rule coverage in the reports: per area, each named model rule with how many
// cases reached it, the rules none reached, and V8 coverage of model/ files.
import type { RuleCount, RuleCoverage } from "../harness/rule-coverage.js";
import { escapeHtml } from "./html-escape.js";
import { markdownCell } from "./markdown-cell.js";

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

/** A rule's case count: a zero is bold unless only declined cases reach the rule (out of the IUT's reach). */
function cases(r: RuleCount): string {
  return r.hits === 0 && !r.declined ? "**0**" : String(r.hits);
}

/** The Markdown section (summary.md, matrix.md). */
export function coverageMarkdown(coverage: RuleCoverage, title = "## Model rules reached"): string[] {
  const lines = ["", title, ""];
  for (const a of coverage.areas) {
    lines.push(
      `### ${a.area} [${a.profiles.join(", ")}]: ${a.reached} of ${a.total} rules reached`,
      "",
      ...(a.unreached.length
        ? [
            `Never reached: ${a.unreached.map((id) => `\`${id}\`${a.explained?.[id] ? ` (${a.explained[id]})` : ""}`).join(", ")}`,
            "",
          ]
        : []),
      ...(a.outOfReach?.length
        ? [
            `Out of this IUT's reach (only cases it declined reach them; not counted): ${a.outOfReach.map((id) => `\`${id}\``).join(", ")}`,
            "",
          ]
        : []),
      "| Rule | Cases | Declined | Summary | Source |",
      "|---|---|---|---|---|",
      ...a.rules.map(
        (r) =>
          `| \`${r.id}\` | ${cases(r)} | ${r.declined ?? 0} | ${markdownCell(r.summary)} | ${markdownCell(r.citation)} |`,
      ),
      "",
    );
  }
  if (coverage.v8?.length) {
    lines.push(
      "### V8 coverage of model/ in this process",
      "",
      "| File | Bytes in blocks run | Functions called |",
      "|---|---|---|",
      ...coverage.v8.map((f) => `| ${f.file} | ${percent(f.bytes)} | ${f.functions.called}/${f.functions.total} |`),
      "",
    );
  }
  return lines;
}

/** The HTML section (matrix.html): one table per area, unreached rules marked. */
export function coverageHtml(coverage: RuleCoverage, title: string): string {
  const areas = coverage.areas
    .map((a) => {
      const rows = a.rules
        .map(
          (r) =>
            `<tr class="${r.hits > 0 ? "good" : r.declined ? "declined" : "bad"}"><td><code>${escapeHtml(r.id)}</code></td><td>${r.hits}</td><td>${r.declined ?? 0}</td><td>${escapeHtml(r.summary)}</td><td><small>${escapeHtml(r.citation)}</small></td></tr>`,
        )
        .join("");
      return `<h3>${escapeHtml(a.area)} [${escapeHtml(a.profiles.join(", "))}]: ${a.reached} of ${a.total} rules reached</h3>
${a.outOfReach?.length ? `<p>Out of this IUT's reach (only cases it declined reach them; not counted): ${a.outOfReach.map((id) => `<code>${escapeHtml(id)}</code>`).join(", ")}</p>` : ""}
<table class="rules"><thead><tr><th>rule</th><th>cases</th><th>declined</th><th>summary</th><th>source</th></tr></thead><tbody>${rows}</tbody></table>`;
    })
    .join("\n");
  return `<h2>${escapeHtml(title)}</h2>\n${areas}`;
}
