// A matrix that finds a disagreement but cannot save its example (a corpus on a
// full or read-only disk) keeps the finding in its cell and says why it has no
// case file, instead of losing the whole matrix to the save error.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runMatrix } from "../../harness/matrix.js";
import { ModelIut } from "../../iut/model/model-iut.js";
import { findMutant, mutantIut } from "../../iut/mutants/index.js";
import { findArea } from "../../properties/areas.js";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

describe("runMatrix with a corpus that cannot take a case", () => {
  it("keeps the disagreement and names the save error in the example", async () => {
    const blocker = join(tempDir("nfconform-matrix-save-"), "file");
    writeFileSync(blocker, "not a folder");
    const model = new ModelIut();
    const mutant = mutantIut(findMutant("checksum-odd-byte-dropped")!);
    const result = await runMatrix({
      iuts: [
        { spec: "model", iut: model, hello: await model.hello() },
        { spec: "mutant:checksum-odd-byte-dropped", iut: mutant, hello: await mutant.hello() },
      ],
      areas: [findArea("checksum")!],
      propertyFilter: ["checksum.fill-matches-model"],
      seed: 1,
      runs: 50,
      corpusDir: join(blocker, "corpus"),
      replayCommand: (file) => `replay ${file}`,
    });
    const examples = result.rows.flatMap((row) => row.cells.flatMap((cell) => (cell.example ? [cell.example] : [])));
    expect(examples.length).toBeGreaterThan(0);
    expect(examples[0]!.caseFile).toBeUndefined();
    expect(examples[0]!.replay).toMatch(/^\(not saved: cannot save a case in .*corpus/);
  });
});
