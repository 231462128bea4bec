// A real stack's column never reads green on nothing, and never stops the
// table: a matrix cell whose every case was declined has no verdict, and a
// frag6 clarification cell whose IUT failed (answered `internal`, as the lwip
// adapter does when lwIP aborts) says iut-error.
import { describe, expect, it } from "vitest";
import { cellText, frag6ClarificationTable } from "../../harness/frag6-clarification.js";
import { AdapterReplyError, type Iut } from "../../iut/iut.js";
import { ModelIut } from "../../iut/model/model-iut.js";
import { matrixMarkdown } from "../../reporting/matrix-report.js";

describe("matrix cells without a verdict", () => {
  it("says no verdict, not conforms, for a cell that judged nothing", () => {
    const hello = { name: "x", version: "1", areas: ["bpf" as const], profiles: {} };
    const md = matrixMarkdown({
      seed: 1,
      runs: 5,
      iuts: [{ spec: "socket-only", hello }],
      rows: [
        {
          id: "bpf.xt-bpf-refuses-65",
          area: "bpf",
          statement: "s",
          cells: [{ profile: "linux", conform: 0, violate: 0, declined: 5 }],
          compared: 0,
          agreed: 0,
        },
      ],
    });
    expect(md).toMatch(/\| \[linux\] no verdict, 0 judged, 5 declined \|/);
  });

  it("shows iut-error in a clarification cell whose IUT failed, and fills the other columns", async () => {
    const model = new ModelIut();
    const failing: Iut = {
      spec: "failing",
      hello: () => model.hello(),
      close: async () => {},
      async call(op, params) {
        if (op === "frag6.run") throw new AdapterReplyError("internal", op, "aborted");
        return model.call(op, params);
      },
    };
    const table = await frag6ClarificationTable(
      [
        { label: "model", iut: model },
        { label: "failing", iut: failing },
      ],
      { seed: 3, perClass: 1 },
    );
    for (const row of table.rows) {
      expect(cellText(row.cells[1]!)).toBe("iut-error");
      expect(cellText(row.cells[0]!)).not.toMatch(/iut-error/);
    }
  });
});
