import type { OpHandler } from "../model/model-state.js";

/** A broken IUT: the model with some ops replaced. */
export interface MutantDefinition {
  name: string;
  description: string;
  overrides: Record<string, OpHandler>;
}
