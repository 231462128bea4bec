import { ModelIut } from "../model/model-iut.js";
import { CHECKSUM_MUTANTS } from "./checksum-mutants.js";
import { HOOKS_MUTANTS } from "./hooks-mutants.js";
import { BPF_MUTANTS } from "./bpf-mutants.js";
import { CTTIMEOUT_MUTANTS } from "./cttimeout-mutants.js";
import { FRAG6_MUTANTS } from "./frag6-mutants.js";
import type { MutantDefinition } from "./mutant.js";

export const MUTANTS: readonly MutantDefinition[] = [
  ...CHECKSUM_MUTANTS,
  ...HOOKS_MUTANTS,
  ...BPF_MUTANTS,
  ...CTTIMEOUT_MUTANTS,
  ...FRAG6_MUTANTS,
];

export function findMutant(name: string): MutantDefinition | undefined {
  return MUTANTS.find((m) => m.name === name);
}

export function mutantIut(mutant: MutantDefinition): ModelIut {
  return new ModelIut({
    overrides: mutant.overrides,
    name: `nfconform-mutant-${mutant.name}`,
    spec: `mutant:${mutant.name}`,
  });
}
