// The corpus: one JSON case file per distinct violation, under
// <corpus>/<area>/<property>/<id>.json, with a pcap beside it when the input
// holds packets. Files are written whole (temp file, then rename), so an
// interrupted run never leaves half a case.
import { createHash } from "node:crypto";
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, join, relative } from "node:path";
import type { AreaName } from "../iut/protocol.js";
import type { AreaDefinition, CasePackets, ConformanceProperty } from "../properties/property.js";
import { readPcap, writePcap } from "../wire/pcap.js";

export const CASE_FORMAT = "nfconform-case";
export const CASE_VERSION = 1;

export interface CaseFile {
  format: typeof CASE_FORMAT;
  version: typeof CASE_VERSION;
  area: AreaName;
  property: string;
  profile: string;
  input: unknown;
  expected: unknown;
  observed: unknown;
  message: string;
  foundBy: { iut: string; iutName: string | null; seed: number | null; savedAt: string };
  /** The pcap beside the case, and what each of its packets is. */
  pcap?: { file: string; linktype: number; packets: string[] };
}

export interface LoadedCase {
  path: string;
  case: CaseFile;
  property: ConformanceProperty;
  /** The input after the property's own validation. */
  input: unknown;
}

export class CorpusError extends Error {}

/** Canonical JSON: keys sorted, so equal inputs hash equally. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function caseId(area: string, property: string, input: unknown): string {
  return createHash("sha256")
    .update(`${area}.${property}\n${canonical(input)}`)
    .digest("hex")
    .slice(0, 16);
}

function writeAtomically(path: string, data: string | Uint8Array): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, data);
  renameSync(temp, path);
}

export interface SavedCase {
  caseFile: string;
  pcapFile?: string;
  /** False when the same case was already in the corpus. */
  isNew: boolean;
}

export function saveCase(
  corpusDir: string,
  entry: Omit<CaseFile, "format" | "version" | "pcap">,
  packets?: CasePackets,
): SavedCase {
  const dir = join(corpusDir, entry.area, entry.property);
  const id = caseId(entry.area, entry.property, entry.input);
  const caseFile = join(dir, `${id}.json`);
  const pcapFile = packets && packets.packets.length > 0 ? join(dir, `${id}.pcap`) : undefined;
  if (existsSync(caseFile)) return { caseFile, ...(pcapFile ? { pcapFile } : {}), isNew: false };
  try {
    writeCase(dir, caseFile, pcapFile, entry, packets);
  } catch (error) {
    // One line naming the folder: the run's report still gets written with the violation in it.
    throw new CorpusError(`cannot save a case in ${dir}: ${(error as Error).message}`);
  }
  return { caseFile, ...(pcapFile ? { pcapFile } : {}), isNew: true };
}

function writeCase(
  dir: string,
  caseFile: string,
  pcapFile: string | undefined,
  entry: Omit<CaseFile, "format" | "version" | "pcap">,
  packets: CasePackets | undefined,
): void {
  mkdirSync(dir, { recursive: true });
  const file: CaseFile = { format: CASE_FORMAT, version: CASE_VERSION, ...entry };
  if (pcapFile && packets) {
    writeAtomically(
      pcapFile,
      writePcap({
        linktype: packets.linktype,
        records: packets.packets.map((p, i) => ({ timestampUs: p.timestampUs ?? i, data: p.data })),
      }),
    );
    file.pcap = { file: basename(pcapFile), linktype: packets.linktype, packets: packets.packets.map((p) => p.label) };
  }
  writeAtomically(caseFile, `${JSON.stringify(file, null, 2)}\n`);
}

/** A case file is a few kilobytes; this bounds what a wrong path (a disk image, a log) can cost. */
export const MAX_CASE_BYTES = 16 * 1024 * 1024;

/**
 * A regular file of at most MAX_CASE_BYTES, read whole. Opened without
 * blocking, so a FIFO or a device is refused instead of waited on for ever.
 */
function readCaseText(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error("not a regular file");
    if (stat.size > MAX_CASE_BYTES) throw new Error(`${stat.size} bytes, more than a case file's ${MAX_CASE_BYTES}`);
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}

/** Reads and checks one case file; every problem names the file. */
export function loadCaseFile(path: string, areas: readonly AreaDefinition[]): LoadedCase {
  const fail = (reason: string): never => {
    throw new CorpusError(`${path}: ${reason}`);
  };
  let text: string;
  try {
    text = readCaseText(path);
  } catch (error) {
    return fail(`cannot read: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return fail(`not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return fail("not a JSON object");
  const c = parsed as Record<string, unknown>;
  if (c.format !== CASE_FORMAT) return fail(`"format" must be "${CASE_FORMAT}", got ${JSON.stringify(c.format)}`);
  if (c.version !== CASE_VERSION)
    return fail(`case format version ${JSON.stringify(c.version)} is not supported (this suite reads ${CASE_VERSION})`);
  const area = areas.find((a) => a.name === c.area);
  if (!area) return fail(`unknown area ${JSON.stringify(c.area)}`);
  const property = area.properties.find((p) => p.name === c.property);
  if (!property) return fail(`area ${area.name} has no property ${JSON.stringify(c.property)}`);
  if (typeof c.profile !== "string" || !area.profiles.some((p) => p.name === c.profile)) {
    return fail(`profile ${JSON.stringify(c.profile)} is not a profile of ${area.name}`);
  }
  let input: unknown;
  try {
    input = property.validateInput(c.input);
  } catch (error) {
    return fail(`"input" is malformed: ${(error as Error).message}`);
  }
  const pcap = c.pcap as CaseFile["pcap"] | undefined;
  if (pcap !== undefined) {
    if (typeof pcap?.file !== "string" || basename(pcap.file) !== pcap.file)
      return fail(`"pcap.file" must be a file name beside the case`);
    // The pcap is a view of the case for tcpdump and Wireshark; the JSON is the case.
    // A missing pcap is no loss; one that is there must be sound.
    const pcapPath = join(path, "..", pcap.file);
    if (existsSync(pcapPath)) {
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(pcapPath);
      } catch (error) {
        return fail(`its pcap ${pcap.file} cannot be read: ${(error as Error).message}`);
      }
      try {
        readPcap(bytes, pcapPath);
      } catch (error) {
        return fail(`its pcap is malformed: ${(error as Error).message}`);
      }
    }
  }
  return { path, case: parsed as CaseFile, property, input };
}

function listJson(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Loads every case of the given areas. All malformed files are reported
 * together in one CorpusError; nothing is deleted or rewritten.
 */
export function loadCorpus(
  corpusDir: string,
  areas: readonly AreaDefinition[],
  allAreas: readonly AreaDefinition[],
): LoadedCase[] {
  const cases: LoadedCase[] = [];
  const problems: string[] = [];
  for (const area of areas) {
    const areaDir = join(corpusDir, area.name);
    if (!existsSync(areaDir)) continue;
    for (const entry of readdirSync(areaDir).sort()) {
      const propertyDir = join(areaDir, entry);
      if (!statSync(propertyDir).isDirectory()) continue;
      for (const file of listJson(propertyDir)) {
        try {
          const loaded = loadCaseFile(file, allAreas);
          if (loaded.case.area !== area.name || loaded.case.property !== entry) {
            problems.push(
              `${file}: says ${loaded.case.area}/${loaded.case.property} but lies under ${relative(corpusDir, propertyDir)}`,
            );
          } else {
            cases.push(loaded);
          }
        } catch (error) {
          problems.push((error as Error).message);
        }
      }
    }
  }
  if (problems.length > 0)
    throw new CorpusError(
      `malformed corpus (${problems.length} file${problems.length > 1 ? "s" : ""}):\n  ${problems.join("\n  ")}`,
    );
  return cases;
}
