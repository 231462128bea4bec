// The conformance matrix, rendered by a real headless browser.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "bin/nfconform");

/** Debian's chromium, headless, with nothing reaching out to the network. */
function chromium(args: string[], cwd: string) {
  return spawnSync(
    "chromium",
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${join(cwd, "profile")}`,
      ...args,
    ],
    { cwd, encoding: "utf8", timeout: 60_000 },
  );
}

describe("nfconform matrix", () => {
  it("runs the same cases against several IUTs and renders the table and chart in chromium", () => {
    const cwd = tempDir("nfconform-matrix-");
    const r = spawnSync(
      BIN,
      [
        "matrix",
        "--iut",
        "model",
        "--iut",
        "model:checksum=linux-2.6.35",
        "--iut",
        "mutant:checksum-odd-byte-dropped",
        "--area",
        "checksum",
        "--runs",
        "80",
        "--seed",
        "3",
        "--out",
        "m",
        "--corpus",
        "corpus",
      ],
      { cwd, encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(0);
    const matrix = JSON.parse(readFileSync(join(cwd, "m/matrix.json"), "utf8"));
    const row = matrix.rows.find((x: { id: string }) => x.id === "checksum.fill-equals-recompute");
    expect(row.cells[0]).toMatchObject({ profile: "linux", violate: 0 });
    expect(row.cells[1]).toMatchObject({ profile: "linux-2.6.35", violate: 0 });
    expect(row.cells[2].violate).toBeGreaterThan(0);
    // One replayable example per violating cell: its replay reproduces the violation.
    const replay = spawnSync("/bin/sh", ["-c", row.cells[2].example.replay.replace(/^nfconform /, `${BIN} `)], {
      cwd,
      encoding: "utf8",
    });
    expect(replay.status).toBe(1);
    // The two conforming profiles answer differently on some cases (a computed 0: 0xffff or 0x0000).
    expect(matrix.rows.some((x: { agreed: number; compared: number }) => x.agreed < x.compared)).toBe(true);

    const page = `file://${join(cwd, "m/matrix.html")}`;
    const dom = chromium(["--dump-dom", page], cwd);
    expect(dom.status, dom.stderr).toBe(0);
    expect(dom.stdout).toContain("nfconform conformance matrix");
    expect(dom.stdout.match(/<td class="bad">/g)?.length).toBeGreaterThan(0);
    expect(dom.stdout).toMatch(/<svg[^>]*aria-label="cases per IUT"/);
    // The violating cell links to its case's pcap (saved beside the case file) and shows the replay command.
    expect(row.cells[2].example.pcapFile).toBe(row.cells[2].example.caseFile.replace(/\.json$/, ".pcap"));
    // matrix.json names them relative to its own directory (m/), never by an absolute path.
    expect(row.cells[2].example.caseFile).toMatch(/^\.\.\/corpus\/checksum\//);
    expect(existsSync(join(cwd, "m", row.cells[2].example.caseFile))).toBe(true);
    const pcapHref = dom.stdout.match(/<a href="([^"]+)">pcap<\/a>/)?.[1];
    expect(pcapHref).toBeDefined();
    const pcap = readFileSync(join(cwd, "m", decodeURIComponent(pcapHref!)));
    expect(pcap.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(dom.stdout).toContain(`<code class="replay">${row.cells[2].example.replay}</code>`);
    const shot = join(cwd, "matrix.png");
    const screenshot = chromium(["--window-size=1400,1000", `--screenshot=${shot}`, page], cwd);
    expect(screenshot.status, screenshot.stderr).toBe(0);
    expect(existsSync(shot) && statSync(shot).size).toBeGreaterThan(20_000);
  });

  it("with frag6, writes the spec-clarification table from runs: pattern classes against the profiles, where they differ", () => {
    const cwd = tempDir("nfconform-matrix-");
    const iuts = ["model:frag6=rfc8200", "model:frag6=linux-ipv6", "model:frag6=linux-nfct"].flatMap((spec) => [
      "--iut",
      spec,
    ]);
    const r = spawnSync(BIN, ["matrix", ...iuts, "--area", "frag6", "--runs", "5", "--seed", "3", "--out", "m"], {
      cwd,
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    const md = readFileSync(join(cwd, "m/frag6-clarification.md"), "utf8");
    expect(md).toContain(
      "| pattern | source | streams | model:frag6=rfc8200 (rfc8200) | model:frag6=linux-ipv6 (linux-ipv6) | model:frag6=linux-nfct (linux-nfct) |",
    );
    const rows = md.split("\n").filter((l) => /^\| [a-z]/.test(l) && !l.startsWith("| pattern"));
    expect(rows.length).toBeGreaterThanOrEqual(16 + 21);
    // The disagreement table: somewhere the two Linux paths' cells differ.
    expect(
      rows.some((l) => {
        const c = l.split(" | ");
        return c[4] !== c[5];
      }),
    ).toBe(true);
    // Under the table, the spec sentence each class tests.
    expect(md).toContain(
      "- **unaligned**: RFC 8200 section 4.5: \"If the length of a fragment, as derived from the fragment packet's Payload Length field, is not a multiple of 8 octets",
    );
    const page = `file://${join(cwd, "m/frag6-clarification.html")}`;
    const dom = chromium(["--dump-dom", page], cwd);
    expect(dom.status, dom.stderr).toBe(0);
    expect(dom.stdout).toContain("IPv6 reassembly: spec clarification");
    // Every row draws its fragments, the overlaps painted, outcomes as coloured chips, the RFC quoted.
    expect(dom.stdout.match(/<svg[^>]*class="fragments"/g)?.length).toBe(rows.length);
    expect(dom.stdout).toContain('class="overlap different"');
    expect(dom.stdout).toContain('<span class="chip delivered">');
    expect(dom.stdout).toContain('<span class="chip discarded">');
    expect(dom.stdout).toContain('<span class="chip param-problem">');
    expect(dom.stdout).toContain("<cite>RFC 6946 section 4</cite>");
    const shot = join(cwd, "frag6-clarification.png");
    const screenshot = chromium(["--window-size=1500,2200", `--screenshot=${shot}`, page], cwd);
    expect(screenshot.status, screenshot.stderr).toBe(0);
    expect(existsSync(shot) && statSync(shot).size).toBeGreaterThan(100_000);
  });

  it("needs at least two IUTs", () => {
    const r = spawnSync(BIN, ["matrix", "--iut", "model"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/at least two --iut/);
  });
});
