// The contract every area's model shares for naming the rules it applies: a
// catalogue of rules (id, one-line summary, citation), and a trace the model
// writes while it answers. The trace is passed in explicitly (never global),
// so model instances running at once never mix; a model called without one
// records nothing.

export interface ModelRule {
  /** Stable within its area, kebab-case ("div-by-zero", "insert-before-equal"). */
  readonly id: string;
  /** What the rule says, in one line. */
  readonly summary: string;
  /** Where it comes from: kernel file and function, or RFC section. */
  readonly citation: string;
  /** The profiles that apply it; absent: every profile of the area. */
  readonly profiles?: readonly string[];
}

/** One application of a rule, where it applied (step, packet, event) and with what. */
export interface RuleHit {
  readonly rule: string;
  /** The step, packet or event the rule applied to ("step 2", "packet 0", "event 3"). */
  readonly at?: string;
  readonly detail?: string;
}

/** The rules a model applied while answering, in order. */
export class RuleTrace {
  readonly hits: RuleHit[] = [];
  private at: string | undefined;

  /** Names where the next hits apply ("step 2"); undefined clears it. */
  within(at: string | undefined): void {
    this.at = at;
  }

  hit(rule: ModelRule, detail?: string): void {
    this.hits.push({
      rule: rule.id,
      ...(this.at !== undefined ? { at: this.at } : {}),
      ...(detail !== undefined ? { detail } : {}),
    });
  }
}

/** A catalogue from a record of definitions: ids are the keys, so a rule is named once. */
export function ruleCatalogue<K extends string>(
  defs: Record<K, Omit<ModelRule, "id">>,
): Readonly<Record<K, ModelRule>> {
  const out = {} as Record<K, ModelRule>;
  for (const id of Object.keys(defs) as K[]) out[id] = { id, ...defs[id] };
  return out;
}

/** The rules of a catalogue that a profile applies. */
export function rulesOfProfile(rules: readonly ModelRule[], profile: string): ModelRule[] {
  return rules.filter((r) => r.profiles === undefined || r.profiles.includes(profile));
}
