// The spec-clarification table, generated from runs of the model's three profiles.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ModelIut } from "../../iut/model/model-iut.js";
import { FRAG6_PROFILES } from "../../model/frag6/profiles.js";
import { cellText, frag6ClarificationTable } from "../../harness/frag6-clarification.js";
import { writeFrag6Clarification } from "../../reporting/frag6-clarification.js";
import { FRAG6_CLASSES } from "../../properties/frag6/stream.js";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

const columns = FRAG6_PROFILES.map((profile) => ({
  label: `model ${profile}`,
  iut: new ModelIut({ profiles: { frag6: profile } }),
}));

describe("frag6 spec-clarification table", () => {
  it("has a row per kernel-facts pattern and per class, a cell per profile, from runs", async () => {
    const table = await frag6ClarificationTable(columns, { seed: 1, perClass: 4 });
    expect(table.columns).toEqual(["model rfc8200", "model linux-ipv6", "model linux-nfct"]);
    for (const cls of FRAG6_CLASSES)
      expect(table.rows.some((r) => r.pattern === cls && r.source === "generated")).toBe(true);
    const row = (name: string) => table.rows.find((r) => r.pattern === name)!.cells.map(cellText);
    // kernel-facts rows where the two Linux paths disagree show it.
    expect(row("zero-length-middle")).toEqual(["delivered", "discarded", "delivered"]);
    expect(row("atomic-beside-pending")[1]).toBe("discarded"); // the pending datagram lacks fragments: never complete
    expect(row("contained-other-bytes")).toEqual(["discarded", "delivered", "delivered"]);
    expect(row("tiny-first-fragment").every((c) => c.includes("ICMP param-problem 3/0"))).toBe(true);
  });

  it("writes Markdown and HTML", async () => {
    const dir = tempDir("frag6-table-");
    const table = await frag6ClarificationTable(columns, { seed: 2, perClass: 2 });
    const { markdown, html } = writeFrag6Clarification(dir, table);
    const md = readFileSync(markdown, "utf8");
    expect(md).toMatch(/\| overlap-across-runs \| generated \| 2 \|/);
    // Under the table, each class once with the spec text it tests, in class order.
    const quoted = [...md.matchAll(/^- \*\*([a-z-]+)\*\*: /gm)].map((m) => m[1]);
    expect(quoted).toEqual([...FRAG6_CLASSES]);
    const page = readFileSync(html, "utf8");
    expect(page).toMatch(/<th>model linux-nfct<\/th>/);
    // One picture per row; the cells as coloured chips.
    expect(page.match(/<svg[^>]*class="fragments"/g)).toHaveLength(table.rows.length);
    expect(page).toContain('<span class="chip discarded">discarded 2/2</span>');
  });
});
