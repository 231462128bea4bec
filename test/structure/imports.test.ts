// Imports only point down, no file imports itself through others, and only
// sys/ loads the FFI (issue 16). The layer order, top to bottom:
//   bench -> cli -> reporting -> harness -> properties -> iut -> model -> sys -> wire
// A file may import files of its own layer or any layer below it.
// sys/ (the host: FFI, sockets, namespaces, errno) and wire/ (bytes: packet
// and message formats, protocol numbers, checksums) are both at the bottom;
// sys may import wire for the numbers a socket call shares with a packet
// (IPPROTO_*, ETH_P_*), never the other way, so wire stays pure bytes that
// run anywhere. docs/contributing.md ("Layers and homes") says where each
// shared fact lives.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, sep } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = join(dirname(new URL(import.meta.url).pathname), "..", "..");

/** Top first. A folder may import its own files and folders after it, never before it. */
const LAYERS: readonly string[] = ["bench", "cli", "reporting", "harness", "properties", "iut", "model", "sys", "wire"];

/**
 * Edges that break the rule today and are being fixed elsewhere; each entry is
 * removed by the change that fixes it, and an entry that no longer occurs fails
 * the test so the list cannot go stale.
 */
// Imports that break the rule and are known, each with why and when it goes; an
// entry that no longer occurs fails too, so the list only shrinks.
const KNOWN_VIOLATIONS: readonly string[] = [];

interface Edge {
  from: string;
  to: string;
}

function layerOf(file: string): number {
  return LAYERS.indexOf(file.split("/")[0] ?? "");
}

/** An edge is wrong if it points to a higher layer. */
function upwardEdges(edges: readonly Edge[]): string[] {
  return edges.filter(({ from, to }) => layerOf(to) < layerOf(from)).map(({ from, to }) => `up: ${from} -> ${to}`);
}

/** Every cycle found by a depth-first search, each printed from its smallest file so it reads the same every run. */
function cycles(edges: readonly Edge[]): string[] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const found = new Set<string>();
  const visit = (file: string): void => {
    state.set(file, "open");
    path.push(file);
    for (const to of [...new Set(next.get(file) ?? [])].sort()) {
      if (state.get(to) === "open") {
        const loop = path.slice(path.indexOf(to));
        const start = loop.indexOf([...loop].sort()[0]!);
        const rotated = [...loop.slice(start), ...loop.slice(0, start)];
        found.add(`cycle: ${[...rotated, rotated[0]].join(" -> ")}`);
      } else if (state.get(to) === undefined) visit(to);
    }
    path.pop();
    state.set(file, "done");
  };
  for (const file of [...next.keys()].sort()) if (state.get(file) === undefined) visit(file);
  return [...found].sort();
}

function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir))) {
      const path = `${dir}/${entry}`;
      if (statSync(join(ROOT, path)).isDirectory()) walk(path);
      else if (path.endsWith(".ts")) files.push(path);
    }
  };
  for (const folder of LAYERS) walk(folder);
  return files.sort();
}

/** Packages only sys/ may load: the FFI, so every native call is in one folder. */
const SYS_ONLY_PACKAGES = ["koffi"];

/** Imports of a sys-only package from outside sys/. */
function ffiOutsideSys(imports: readonly { from: string; specifier: string }[]): string[] {
  return imports
    .filter(({ from, specifier }) => SYS_ONLY_PACKAGES.includes(specifier) && !from.startsWith("sys/"))
    .map(({ from, specifier }) => `ffi: ${from} imports ${specifier}`);
}

function packageImports(): { from: string; specifier: string }[] {
  return sourceFiles().flatMap((from) =>
    ts
      .preProcessFile(readFileSync(join(ROOT, from), "utf8"), true, true)
      .importedFiles.filter(({ fileName }) => !fileName.startsWith("."))
      .map(({ fileName }) => ({ from, specifier: fileName })),
  );
}

/** Relative imports of every source file (static, dynamic, re-exports, `import type`), resolved to the .ts file. */
function sourceEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const from of sourceFiles()) {
    const text = readFileSync(join(ROOT, from), "utf8");
    for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!fileName.startsWith(".")) continue;
      const to = normalize(join(dirname(from), fileName))
        .split(sep)
        .join("/")
        .replace(/\.js$/, ".ts");
      if (!edges.some((e) => e.from === from && e.to === to)) edges.push({ from, to });
    }
  }
  return edges;
}

function violations(edges: readonly Edge[]): string[] {
  return [...upwardEdges(edges), ...cycles(edges)];
}

describe("import structure", () => {
  const edges = sourceEdges();

  it("reads the tree", () => {
    // Never green on nothing: the walk found files and imports.
    expect(edges.length).toBeGreaterThan(500);
    for (const { to } of edges) expect(statSync(join(ROOT, to)).isFile(), `${to} exists`).toBe(true);
  });

  it("imports only point down and close no cycle", () => {
    const found = violations(edges);
    const unexpected = found.filter((v) => !KNOWN_VIOLATIONS.includes(v));
    for (const v of unexpected) console.error(v);
    expect(unexpected).toEqual([]);
  });

  it("loads the FFI only in sys/", () => {
    const imports = packageImports();
    expect(imports.some((i) => i.specifier === "koffi")).toBe(true);
    const found = ffiOutsideSys(imports);
    for (const v of found) console.error(v);
    expect(found).toEqual([]);
  });

  it("lists no known violation that is gone", () => {
    const found = violations(edges);
    expect(KNOWN_VIOLATIONS.filter((v) => !found.includes(v))).toEqual([]);
  });
});

describe("import checker", () => {
  // The imports issue 16 found: each must be caught if it comes back.
  it.each([
    ["iut/linux/frag6/marker.ts", "properties/frag6/datagram.ts"],
    ["iut/linux/bpf/area.ts", "properties/bpf/packets.ts"],
    ["wire/ip-build.ts", "model/checksum/internet-checksum.ts"],
    ["reporting/json-report.ts", "cli/version.ts"],
    ["wire/ip-build.ts", "sys/libc.ts"],
  ])("flags %s -> %s", (from, to) => {
    expect(violations([{ from, to }])).toHaveLength(1);
  });

  it("flags koffi outside sys/", () => {
    expect(
      ffiOutsideSys([
        { from: "iut/linux/frag6/marker.ts", specifier: "koffi" },
        { from: "sys/libc.ts", specifier: "koffi" },
      ]),
    ).toEqual(["ffi: iut/linux/frag6/marker.ts imports koffi"]);
  });

  it("allows imports down and within a layer", () => {
    expect(
      violations([
        { from: "cli/main.ts", to: "wire/hex.ts" },
        { from: "model/frag6/judge.ts", to: "model/frag6/fragment.ts" },
      ]),
    ).toEqual([]);
  });

  it("flags a cycle inside one layer", () => {
    expect(
      violations([
        { from: "model/b.ts", to: "model/c.ts" },
        { from: "model/c.ts", to: "model/a.ts" },
        { from: "model/a.ts", to: "model/b.ts" },
      ]),
    ).toEqual(["cycle: model/a.ts -> model/b.ts -> model/c.ts -> model/a.ts"]);
  });

  it("reads every kind of import", () => {
    const text = `import type { A } from "./a.js";\nexport * from "./b.js";\nconst c = await import("./c.js");\nimport {\n  d,\n} from "./d.js";`;
    expect(ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName)).toEqual([
      "./a.js",
      "./b.js",
      "./c.js",
      "./d.js",
    ]);
  });
});
