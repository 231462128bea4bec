// `nfconform matrix --iut A --iut B ...`: the same cases against several IUTs,
// written as a table (Markdown, JSON, HTML with a chart). It informs rather
// than gates: exit 0 when it ran, whatever the IUTs did.
import { frag6ClarificationTable } from "../harness/frag6-clarification.js";
import { runMatrix, type MatrixIut } from "../harness/matrix.js";
import { writeFrag6Clarification } from "../reporting/frag6-clarification.js";
import { writeMatrixReports } from "../reporting/matrix-report.js";
import { commandBuilders } from "./commands-text.js";
import { parseOptions } from "./options.js";
import { openIut, prepareOutputs, readSuiteSettings, SUITE_OPTIONS } from "./suite-options.js";
import { UsageError } from "./usage-error.js";

/** Generated streams per pattern class in the frag6 clarification table. */
const CLARIFICATION_STREAMS = 5;

export async function matrixCommand(argv: string[], io: { stderr: (line: string) => void }): Promise<number> {
  const { values } = parseOptions(argv, { ...SUITE_OPTIONS, iut: { type: "string", multiple: true } }, 0);
  const specs = values.iut ?? [];
  if (specs.length < 2) throw new UsageError("matrix needs at least two --iut");
  if (values.jobs !== undefined)
    throw new UsageError("matrix runs one instance of each IUT: --jobs is an option of run, fuzz and corpus check");
  // A matrix informs: it keeps its examples out of any corpus unless --corpus names one.
  const settings = readSuiteSettings({ ...values, iut: specs[0], corpus: values.corpus ?? "none" });
  prepareOutputs(settings);
  const iuts: MatrixIut[] = [];
  try {
    for (const spec of specs) {
      const { iut, hello } = await openIut(spec, settings, io.stderr, 1);
      iuts.push({ spec, iut, hello });
    }
    io.stderr(`nfconform matrix: ${specs.join(" | ")}, seed ${settings.seed}, ${settings.runs} cases per property`);
    const result = await runMatrix({
      iuts,
      areas: settings.areas,
      propertyFilter: settings.propertyFilter,
      seed: settings.seed,
      runs: settings.runs,
      corpusDir: settings.corpusDir,
      profileOverrides: settings.profileOverrides,
      ...(values.coverage ? { coverage: true } : {}),
      replayCommand: (caseFile, spec) =>
        commandBuilders({
          iutSpec: spec,
          seed: settings.seed,
          profiles: settings.profileOverrides,
          corpusDir: settings.corpusDir,
        }).replayCase(caseFile),
      onProgress: (id) => io.stderr(`  ${id}`),
    });
    const files = writeMatrixReports(settings.outDir, result);
    io.stderr(`matrix: ${files.markdown}, ${files.html}, ${files.json}`);
    // frag6: the spec-clarification table, pattern classes against these IUTs, from runs of their own.
    const frag6Iuts = iuts.filter((i) => i.hello.areas.includes("frag6"));
    if (settings.areas.some((a) => a.name === "frag6") && frag6Iuts.length > 0) {
      const columns = frag6Iuts.map((i) => ({ label: `${i.spec} (${i.hello.profiles.frag6 ?? "?"})`, iut: i.iut }));
      const table = await frag6ClarificationTable(columns, { seed: settings.seed, perClass: CLARIFICATION_STREAMS });
      const clarification = writeFrag6Clarification(settings.outDir, table);
      io.stderr(`frag6 spec clarification: ${clarification.markdown}, ${clarification.html}`);
    }
    return 0;
  } finally {
    for (const { iut } of iuts) await iut.close();
  }
}
