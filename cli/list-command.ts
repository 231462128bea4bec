// `nfconform list`: areas, properties with their sources, profiles, known IUTs and mutants.
import { AREA_NAMES } from "../iut/protocol.js";
import { MUTANTS } from "../iut/mutants/index.js";
import { AREAS } from "../properties/areas.js";
import { parseOptions } from "./options.js";
import { adapterFolders } from "./adapter-folders.js";
import { KNOWN_IUTS } from "./resolve-iut.js";

export function listCommand(argv: string[], io: { stdout: (line: string) => void }): number {
  const { values } = parseOptions(argv, { json: { type: "boolean" } }, 0);
  const areas = AREAS.map((a) => ({
    area: a.name,
    summary: a.summary,
    defaultProfile: a.defaultProfile,
    profiles: a.profiles,
    properties: a.properties.map((p) => ({
      id: `${p.area}.${p.name}`,
      statement: p.statement,
      citation: p.citation,
      ops: p.ops,
    })),
  }));
  const adapters = adapterFolders().map(({ name, summary, built }) => ({ name, summary, built }));
  const planned = AREA_NAMES.filter((name) => !AREAS.some((a) => a.name === name));
  if (values.json) {
    io.stdout(
      JSON.stringify(
        {
          areas,
          plannedAreas: planned,
          iuts: KNOWN_IUTS,
          adapters,
          mutants: MUTANTS.map(({ name, description }) => ({ name, description })),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  for (const area of areas) {
    io.stdout(`area ${area.area}: ${area.summary}`);
    for (const profile of area.profiles)
      io.stdout(
        `  profile ${profile.name}${profile.name === area.defaultProfile ? " (default)" : ""}: ${profile.summary}`,
      );
    for (const p of area.properties) {
      io.stdout(`  property ${p.id}`);
      io.stdout(`    ${p.statement}`);
      io.stdout(`    source: ${p.citation}`);
    }
  }
  if (planned.length) io.stdout(`areas of the protocol without properties yet: ${planned.join(", ")}`);
  io.stdout("IUTs:");
  for (const iut of KNOWN_IUTS) io.stdout(`  ${iut.spec}: ${iut.summary}`);
  io.stdout("adapters (for --iut <name>; adapters/<name>/README.md; build with scripts/setup-adapters):");
  for (const a of adapters) io.stdout(`  ${a.name}${a.built ? "" : " (not built)"}: ${a.summary}`);
  io.stdout("mutants (for --iut mutant:<name> or nfconform adapter model --mutant <name>):");
  for (const m of MUTANTS) io.stdout(`  ${m.name}: ${m.description}`);
  return 0;
}
