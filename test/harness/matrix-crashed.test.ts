// A stack that crashes on a case (its adapter answers `crashed`): the matrix
// counts that case as a violation with the crash as its example, and the
// frag6 clarification cell says crashed, not iut-error. `profileOverrides`
// judges every column against one profile (docs/matrix/frag6-rfc8200).
import { describe, expect, it } from "vitest";
import { cellText, frag6ClarificationTable } from "../../harness/frag6-clarification.js";
import { runMatrix } from "../../harness/matrix.js";
import { AdapterReplyError, type Iut } from "../../iut/iut.js";
import { ModelIut } from "../../iut/model/model-iut.js";
import { findArea } from "../../properties/areas.js";

function crashing(model: ModelIut): Iut {
  return {
    spec: "crashing",
    hello: () => model.hello(),
    close: async () => {},
    async call(op, params) {
      if (op === "frag6.run") throw new AdapterReplyError("crashed", op, "aborted (signal 6)");
      return model.call(op, params);
    },
  };
}

describe("a crashing stack in the matrix", () => {
  it("violates with the crash as its example, judged against the profile override", async () => {
    const model = new ModelIut();
    const iut = crashing(model);
    const result = await runMatrix({
      iuts: [
        { spec: "model", iut: model, hello: await model.hello() },
        { spec: "crashing", iut, hello: await iut.hello() },
      ],
      areas: [findArea("frag6")!],
      propertyFilter: ["frag6.no-hole-delivered"],
      seed: 2,
      runs: 3,
      corpusDir: null,
      replayCommand: () => "replay",
      profileOverrides: { frag6: "rfc8200" },
    });
    const [modelCell, crashCell] = result.rows[0]!.cells;
    expect(modelCell).toMatchObject({ profile: "rfc8200", violate: 0 });
    expect(crashCell).toMatchObject({ profile: "rfc8200", conform: 0 });
    expect(crashCell!.violate).toBeGreaterThan(0);
    expect(crashCell!.note).toBeUndefined();
    expect(crashCell!.example?.message).toBe("the implementation crashed: aborted (signal 6)");
  });

  it("says crashed in its clarification cells", async () => {
    const model = new ModelIut();
    const table = await frag6ClarificationTable(
      [
        { label: "model", iut: model },
        { label: "crashing", iut: crashing(model) },
      ],
      { seed: 3, perClass: 1 },
    );
    for (const row of table.rows) expect(cellText(row.cells[1]!)).toBe("crashed");
  });
});
