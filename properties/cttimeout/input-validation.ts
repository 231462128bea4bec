// Checks inputs read back from corpus files before they are replayed.
import { fromHex } from "../../wire/hex.js";
import type { CttimeoutCommand, SequenceInput } from "./commands.js";

function asRecord(input: unknown, what: string): Record<string, unknown> {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    throw new Error(`${what} must be a JSON object`);
  return input as Record<string, unknown>;
}

const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;

export function validateHex(value: unknown, what: string): string {
  fromHex(value, what);
  return value as string;
}

export function validateCommand(input: unknown, i: number): CttimeoutCommand {
  const c = asRecord(input, `commands[${i}]`);
  switch (c.op) {
    case "netlink": {
      const m = c.messages;
      if (!Array.isArray(m) || m.length === 0)
        throw new Error(`commands[${i}].messages must be a non-empty array of hex strings`);
      return { op: "netlink", messages: m.map((x, j) => validateHex(x, `commands[${i}].messages[${j}]`)) };
    }
    case "attach":
      if (typeof c.name !== "string") throw new Error(`commands[${i}].name must be a string`);
      if (!isInt(c.l3proto, 0, 0xffff) || !isInt(c.l4proto, 0, 255))
        throw new Error(`commands[${i}]: l3proto 0..65535 and l4proto 0..255`);
      return { op: "attach", name: c.name, l3proto: c.l3proto, l4proto: c.l4proto };
    case "detach":
      if (!isInt(c.attach, 0, 1 << 30)) throw new Error(`commands[${i}].attach must be a non-negative integer`);
      return { op: "detach", attach: c.attach };
    default:
      throw new Error(`commands[${i}].op must be netlink, attach or detach`);
  }
}

export function validateSequenceInput(input: unknown): SequenceInput {
  const r = asRecord(input, "input");
  const commands = r.commands;
  if (!Array.isArray(commands) || commands.length === 0) throw new Error(`"commands" must be a non-empty array`);
  return { commands: commands.map(validateCommand) };
}

export function validateMalformedInput(input: unknown): { setup: SequenceInput; message: string } {
  const r = asRecord(input, "input");
  return { setup: validateSequenceInput(r.setup), message: validateHex(r.message, "message") };
}
