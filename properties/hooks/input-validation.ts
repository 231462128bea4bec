// Checks hooks cases read back from corpus files before they are replayed.
import { HOOK_FAMILIES, HOOK_NAMES, isInt32, TRAVERSE_FAMILIES, VERDICTS } from "../../model/hooks/families.js";
import { hooksRules } from "../../model/hooks/profiles.js";
import { traversedList } from "../../model/hooks/traverse.js";
import { asRecord } from "../checksum/input-validation.js";
import { fillRegistrations, type HookCommand, type SequenceInput } from "./commands.js";

/** A fill may not go past this: the limit is 1024, a little more shows it. */
const MAX_FILL = 4096;

function oneOf<T extends string>(r: Record<string, unknown>, field: string, allowed: readonly T[], at: string): T {
  const v = r[field];
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v))
    throw new Error(`${at}: "${field}" must be one of ${allowed.join(", ")}`);
  return v as T;
}

function name(r: Record<string, unknown>, field: string, at: string): string {
  const v = r[field];
  if (typeof v !== "string" || v.length === 0) throw new Error(`${at}: "${field}" must be a non-empty string`);
  return v;
}

function device(r: Record<string, unknown>, at: string): string | null {
  const v = r.device;
  if (v === null) return null;
  if (typeof v !== "string" || v.length === 0) throw new Error(`${at}: "device" must be null or a non-empty string`);
  return v;
}

function priority(v: unknown, at: string): number {
  if (!isInt32(v)) throw new Error(`${at}: priorities must be int32 integers, got ${JSON.stringify(v)}`);
  return v;
}

function command(input: unknown, at: string): HookCommand {
  const r = asRecord(input);
  switch (r.op) {
    case "register":
      return {
        op: "register",
        name: name(r, "name", at),
        family: oneOf(r, "family", HOOK_FAMILIES, at),
        hook: oneOf(r, "hook", HOOK_NAMES, at),
        priority: priority(r.priority, at),
        verdict: oneOf(r, "verdict", VERDICTS, at),
        device: device(r, at),
      };
    case "unregister":
      return { op: "unregister", name: name(r, "name", at) };
    case "traverse":
      return {
        op: "traverse",
        family: oneOf(r, "family", TRAVERSE_FAMILIES, at),
        hook: oneOf(r, "hook", HOOK_NAMES, at),
        device: device(r, at),
      };
    case "fill": {
      const count = r.count;
      if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > MAX_FILL)
        throw new Error(`${at}: "count" must be 1..${MAX_FILL}`);
      const priorities = r.priorities;
      if (!Array.isArray(priorities) || priorities.length === 0)
        throw new Error(`${at}: "priorities" must be a non-empty array`);
      return {
        op: "fill",
        prefix: name(r, "prefix", at),
        count,
        family: oneOf(r, "family", HOOK_FAMILIES, at),
        hook: oneOf(r, "hook", HOOK_NAMES, at),
        device: device(r, at),
        priorities: priorities.map((p) => priority(p, at)),
        verdict: oneOf(r, "verdict", VERDICTS, at),
      };
    }
    default:
      throw new Error(`${at}: "op" must be register, unregister, traverse or fill`);
  }
}

/**
 * A sequence of commands; a name is never registered again while it may be
 * live (the protocol leaves that undefined), and every traversal names a list
 * current Linux has (the other profiles have fewer; their IUTs decline the rest).
 */
export function validateSequenceInput(input: unknown): SequenceInput {
  const r = asRecord(input);
  if (!Array.isArray(r.commands) || r.commands.length === 0) throw new Error(`"commands" must be a non-empty array`);
  const commands = r.commands.map((c, i) => command(c, `commands[${i}]`));
  const rules = hooksRules("linux");
  const maybeLive = new Set<string>();
  commands.forEach((c, i) => {
    const names = c.op === "register" ? [c.name] : c.op === "fill" ? fillRegistrations(c).map((reg) => reg.name) : [];
    for (const n of names) {
      if (maybeLive.has(n))
        throw new Error(`commands[${i}]: "${n}" is registered again while it may still be registered`);
      maybeLive.add(n);
    }
    if (c.op === "unregister") maybeLive.delete(c.name);
    if (c.op === "traverse" && traversedList(rules, c.family, c.hook, c.device) === undefined) {
      throw new Error(
        `commands[${i}]: no ${c.family} ${c.hook} list${c.device === null ? "" : ` on ${c.device}`} to traverse`,
      );
    }
  });
  return { commands };
}
