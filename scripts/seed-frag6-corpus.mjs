#!/usr/bin/env node
// Writes corpus/frag6/matches-model/<id>.json (+ .pcap) for each frag6 seed
// case, through the corpus store so they load like any saved case. Run after
// `npm run build`: node scripts/seed-frag6-corpus.mjs [corpus-dir]
import { saveCase } from "../dist/harness/corpus-store.js";
import { frag6SeedCases } from "../dist/properties/frag6/seed-cases.js";
import { FRAG6_AREA } from "../dist/properties/frag6/area.js";
import { expectationFor } from "../dist/properties/frag6/model-view.js";
import { canonicalOutcome } from "../dist/model/frag6/run.js";

const dir = process.argv[2] ?? "corpus";
const property = FRAG6_AREA.properties.find((p) => p.name === "matches-model");
for (const seed of frag6SeedCases()) {
  const input = property.validateInput(JSON.parse(JSON.stringify(seed.input)));
  // A record of what each profile predicts; replays recompute it for the profile judged.
  const expected = Object.fromEntries(
    FRAG6_AREA.profiles.map((p) => [p.name, canonicalOutcome(expectationFor(input, p.name))]),
  );
  const saved = saveCase(
    dir,
    {
      area: "frag6",
      property: "matches-model",
      profile: "linux-ipv6",
      input,
      expected,
      observed: null,
      message: `seed: ${seed.name}: ${seed.note}`,
      foundBy: { iut: "seed", iutName: "kernel-facts.md", seed: null, savedAt: "2026-01-01T00:00:00.000Z" },
    },
    property.packets(input, { ok: true, expected, observed: null }),
  );
  console.log(`${saved.isNew ? "wrote" : "kept "} ${saved.caseFile} (${seed.name})`);
}
