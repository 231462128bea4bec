// The property runner never loses a run to a fault of the suite itself: a
// generator that throws ends that property with a message that names the
// suite, keeping a violation found before it; a time limit that strikes
// before any case is no verdict.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runProperty } from "../../harness/run-property.js";
import { IutError } from "../../iut/iut.js";
import { ModelIut } from "../../iut/model/model-iut.js";
import type { ConformanceProperty } from "../../properties/property.js";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

const commands = { replayCase: (f: string) => `replay ${f}`, rerunProperty: (id: string) => `rerun ${id}` };
const options = { runSeed: 1, runs: 100, corpusDir: null, iutName: "model", commands };

/** A property over integers whose generator throws from the `throwAt`-th value on, failing on values >= `failFrom`. */
function property(throwAt: number, failFrom: number): ConformanceProperty<number> {
  let generated = 0;
  return {
    area: "checksum",
    name: "test-property",
    statement: "a test",
    citation: "none",
    ops: [],
    arbitrary: () =>
      fc.integer({ min: 0, max: 1000 }).map((n) => {
        if (++generated >= throwAt) throw new Error("generator broke");
        return n;
      }),
    validateInput: (x) => x as number,
    check: async (n) => ({ ok: n < failFrom, expected: "small", observed: n }),
  };
}

describe("runProperty with a faulty generator", () => {
  it("reports the generator's failure as the suite's, not the IUT's", async () => {
    const r = await runProperty(property(10, Infinity), new ModelIut(), "linux", [], options);
    expect(r.status).toBe("iut-error");
    expect(r.iutError?.message).toMatch(/nfconform's generator failed, not the IUT: generator broke/);
  });

  it("keeps a violation found before the generator threw", async () => {
    const r = await runProperty(property(30, 0), new ModelIut(), "linux", [], options);
    expect(r.status).toBe("failed");
    expect(r.violation?.counterexample).toEqual(expect.any(Number));
  });

  it("a time limit that strikes before any case is judged skips the property", async () => {
    const slow: ConformanceProperty<number> = {
      ...property(Infinity, Infinity),
      check: () => new Promise((resolve) => setTimeout(() => resolve({ ok: true, expected: 0, observed: 0 }), 50)),
    };
    const r = await runProperty(slow, new ModelIut(), "linux", [], { ...options, timeLimitMs: 1 });
    expect(r.status, JSON.stringify(r)).toBe("skipped");
    expect(r.interrupted).toBe(true);
  });
});

describe("runProperty stopped by a signal", () => {
  /** Integers; values over 500 violate (one kind). */
  const bounded: ConformanceProperty<number> = {
    ...property(Infinity, Infinity),
    check: async (n) => ({ ok: n <= 500, expected: "at most 500", observed: n }),
  };

  it("ends at once at --runs 100000000, interrupted, keeping the violation found before", async () => {
    const signal = { aborted: false };
    const started = Date.now();
    const r = await runProperty(bounded, new ModelIut(), "linux", [], {
      ...options,
      runs: 100_000_000,
      signal,
      // Abort a few hundred cases in: past the first violation, in a later round.
      onProgress: (done) => {
        if (done >= 300) signal.aborted = true;
      },
    });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(r.interrupted).toBe(true);
    expect(r.status).toBe("failed");
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]?.counterexample).toBe(501);
    // No case is judged after the abort: the one in flight ends the run.
    expect(r.runs).toBeGreaterThanOrEqual(300);
    expect(r.runs).toBeLessThan(310);
  });

  it("an abort while shrinking keeps the failing case shrunk so far", async () => {
    const signal = { aborted: false };
    let checks = 0;
    const shrinking: ConformanceProperty<number> = {
      ...bounded,
      check: async (n) => {
        // A few shrink steps in, stop.
        if (n > 500 && ++checks >= 3) signal.aborted = true;
        return { ok: n <= 500, expected: "at most 500", observed: n };
      },
    };
    const r = await runProperty(shrinking, new ModelIut(), "linux", [], { ...options, runs: 100_000_000, signal });
    expect(r.interrupted).toBe(true);
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]?.counterexample).toBeGreaterThan(500);
  });
});

describe("runProperty with a corpus that cannot take the case", () => {
  it("keeps the violation, says why it has no case file, and replays it by the property's rerun with its path", async () => {
    const corpusDir = tempDir("nfconform-save-error-");
    // A file where the property's case folder must go.
    mkdirSync(join(corpusDir, "checksum"));
    writeFileSync(join(corpusDir, "checksum/test-property"), "");
    const withArgs = { ...commands, rerunProperty: (id: string, extra: string[]) => `rerun ${id} ${extra.join(" ")}` };
    const r = await runProperty(property(Infinity, 500), new ModelIut(), "linux", [], {
      ...options,
      corpusDir,
      commands: withArgs,
    });
    expect(r.status).toBe("failed");
    const [v] = r.violations;
    expect(v?.saveError).toMatch(/^cannot save a case in .*checksum\/test-property: /);
    expect(v?.caseFile).toBeUndefined();
    expect(v?.replay).toBe(`rerun checksum.test-property --runs 100 --path ${v?.path}`);
  });
});

describe("runProperty on a case the IUT fails on", () => {
  /** The IUT fails on values over 500 (an adapter that died, say). */
  const failing: ConformanceProperty<number> = {
    ...property(Infinity, Infinity),
    check: async (n) => {
      if (n > 500) throw new IutError(`the adapter died on ${n}`);
      return { ok: true, expected: n, observed: n };
    },
  };

  it("saves that case in the corpus and names the command that replays it", async () => {
    const corpusDir = tempDir("nfconform-iut-error-");
    const r = await runProperty(failing, new ModelIut(), "linux", [], { ...options, corpusDir });
    expect(r.status).toBe("iut-error");
    const caseFile = r.iutError?.caseFile ?? "";
    expect(caseFile.startsWith(join(corpusDir, "checksum/test-property/"))).toBe(true);
    expect(r.iutError?.replay).toBe(`replay ${caseFile}`);
    const saved = JSON.parse(readFileSync(caseFile, "utf8"));
    expect(saved.input).toBeGreaterThan(500);
    expect(r.iutError?.message).toBe(`the adapter died on ${saved.input} (generated case)`);
    expect(saved.message).toBe(`the IUT failed on this case: ${r.iutError?.message}`);
    expect(saved.expected).toBeNull();
  });

  it("keeps no case when the IUT failed before the case reached it (an adapter that would not restart)", async () => {
    const corpusDir = tempDir("nfconform-iut-error-");
    const dead: ConformanceProperty<number> = {
      ...failing,
      check: async (n) => {
        if (n > 500) throw new IutError("adapter not restarted again after 5 restarts", undefined, true);
        return { ok: true, expected: n, observed: n };
      },
    };
    const r = await runProperty(dead, new ModelIut(), "linux", [], { ...options, corpusDir });
    expect(r.status).toBe("iut-error");
    expect(r.iutError?.caseFile).toBeUndefined();
    expect(existsSync(join(corpusDir, "checksum"))).toBe(false);
  });

  it("keeps out of the corpus when the run does", async () => {
    const r = await runProperty(failing, new ModelIut(), "linux", [], options);
    expect(r.status).toBe("iut-error");
    expect(r.iutError?.caseFile).toBeUndefined();
  });
});
