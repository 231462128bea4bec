// The one field reader of the adapter protocol. Every request, reply and
// corpus shape is a TypeBox declaration: its TypeScript type and its JSON
// Schema (docs/adapter-protocol.schema.json) come from that one declaration,
// and this module checks a value against it with a compiled validator. A
// value that does not fit gets one line naming the field, what it must be
// and what came instead.
import type { Static, TSchema } from "typebox";
// typebox/schema's validator, not typebox/compile's: the same check and the
// same errors (typebox/compile wraps these), without the ~150 further modules
// (codecs, value conversion) that every process would load at start.
import { Compile, type Validator } from "typebox/schema";

/** A declared shape with its compiled check. */
export interface Shape<T extends TSchema> {
  readonly schema: T;
  /** What is wrong with `value` (one line, the field first), or undefined when it fits. */
  problem(value: unknown): string | undefined;
  /** `value` as the declared type, or an Error `<where>: <problem>`. */
  read(value: unknown, where: string): Static<T>;
}

export function shape<T extends TSchema>(schema: T): Shape<T> {
  let validator: Validator | undefined; // compiled on first use: most runs touch a few areas
  const check = (value: unknown): Problem | undefined => {
    validator ??= Compile(schema);
    if (validator.Check(value)) return undefined;
    return describeProblem(schema, value, validator.Errors(value)[1]);
  };
  return {
    schema,
    problem: (value) => {
      const p = check(value);
      return p && (p.field ? `"${p.field}" ${p.text}` : `value ${p.text}`);
    },
    read(value, where) {
      const p = check(value);
      if (p) throw new Error(p.field ? `${where}: "${p.field}" ${p.text}` : `${where} ${p.text}`);
      return value as Static<T>;
    },
  };
}

/** A JSON value, shortened for a one-line message. */
export function shown(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? "nothing" : text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** What is wrong: the field (empty for the value itself) and the rest of the sentence. */
interface Problem {
  field: string;
  text: string;
}

interface SchemaError {
  keyword: string;
  schemaPath: string;
  instancePath: string;
  params: object;
}

/** `/events/3/t` -> `events[3].t`. */
function fieldName(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : name ? `${name}.${part}` : part), "");
}

function at(root: unknown, pointer: string): unknown {
  let node = root;
  for (const part of pointer.replace(/^#/, "").split("/").slice(1)) {
    node = (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node;
}

/** Says what a schema accepts, in words (its `description` when it has one). */
function expected(schema: unknown): string {
  if (schema === false) return "absent";
  const s = (typeof schema === "object" && schema !== null ? schema : {}) as Record<string, unknown>;
  if (typeof s.description === "string") return s.description;
  if (Array.isArray(s.anyOf)) return s.anyOf.map(expected).join(" or ");
  if (Array.isArray(s.enum)) return `one of ${s.enum.join(", ")}`;
  if ("const" in s) return JSON.stringify(s.const);
  switch (s.type) {
    case "integer": {
      const { minimum: min, maximum: max } = s as { minimum?: number; maximum?: number };
      if (min !== undefined && max !== undefined) return `an integer in ${min}..${max}`;
      if (min !== undefined) return `an integer of at least ${min}`;
      return "an integer";
    }
    case "string":
      return s.minLength === 1 ? "a non-empty string" : "a string";
    case "boolean":
      return "true or false";
    case "null":
      return "null";
    case "array": {
      const { minItems: min, maxItems: max } = s as { minItems?: number; maxItems?: number };
      if (min === 1 && max === undefined) return "a non-empty array";
      if (min !== undefined && max !== undefined) return `an array of ${min}..${max} items`;
      if (min !== undefined) return `an array of at least ${min} items`;
      if (max !== undefined) return `an array of at most ${max} items`;
      return "an array";
    }
    case "object":
      return "a JSON object";
    default:
      return "a JSON value";
  }
}

function describeProblem(root: TSchema, value: unknown, errors: readonly SchemaError[]): Problem {
  const first = errors[0];
  if (!first) return { field: "", text: "does not fit its declaration" };
  if (first.keyword === "required") {
    const missing = (first.params as { requiredProperties?: string[] }).requiredProperties?.[0] ?? "?";
    const schema = at(root, `${first.schemaPath}/properties/${missing}`);
    return { field: fieldName(`${first.instancePath}/${missing}`), text: `must be ${expected(schema)}, got nothing` };
  }
  // A field where none may be: say so of the object that has it.
  const extra = errors.find((e) => e.keyword === "additionalProperties");
  if (first.keyword === "boolean" && extra) {
    const names = (extra.params as { additionalProperties?: string[] }).additionalProperties ?? [];
    return { field: fieldName(extra.instancePath), text: `has unknown fields: ${names.join(", ")}` };
  }
  // Several errors can concern one value (each branch of a union): describe the outermost schema that failed for it.
  const here = errors.filter((e) => e.instancePath === first.instancePath);
  const outer = here.reduce((a, b) => (b.schemaPath.length < a.schemaPath.length ? b : a));
  const field = fieldName(first.instancePath);
  if (outer.keyword === "additionalProperties") {
    const extra = (outer.params as { additionalProperties?: string[] }).additionalProperties ?? [];
    return { field, text: `has unknown fields: ${extra.join(", ")}` };
  }
  const got = shown(at({ v: value }, `/v${first.instancePath}`));
  return { field, text: `must be ${expected(at(root, outer.schemaPath))}, got ${got}` };
}
