// Checks inputs read back from corpus files before they are replayed: netlink
// and attach commands have their op's request shape (iut/ops/cttimeout.ts); a
// detach names the step of its attach, which only the corpus knows.
import Type from "typebox";
import { shape } from "../../iut/ops/codec.js";
import { AttachFields } from "../../iut/ops/cttimeout.js";
import { Hex } from "../../iut/ops/fields.js";
import type { CttimeoutCommand, SequenceInput } from "./commands.js";

const NetlinkCommand = shape(Type.Object({ messages: Type.Array(Hex, { minItems: 1 }) }));
const AttachCommand = shape(Type.Object(AttachFields));
const DetachCommand = shape(Type.Object({ attach: Type.Integer({ minimum: 0, maximum: 2 ** 30 }) }));
const Sequence = shape(Type.Object({ commands: Type.Array(Type.Unknown(), { minItems: 1 }) }));
const Malformed = shape(Type.Object({ setup: Type.Unknown(), message: Hex }));

export function validateCommand(input: unknown, i: number): CttimeoutCommand {
  const at = `commands[${i}]`;
  const op = typeof input === "object" && input !== null ? (input as { op?: unknown }).op : undefined;
  switch (op) {
    case "netlink":
      return { op: "netlink", messages: NetlinkCommand.read(input, at).messages };
    case "attach": {
      const { name, l3proto, l4proto } = AttachCommand.read(input, at);
      return { op: "attach", name, l3proto, l4proto };
    }
    case "detach":
      return { op: "detach", attach: DetachCommand.read(input, at).attach };
    default:
      throw new Error(`${at}.op must be netlink, attach or detach`);
  }
}

export function validateSequenceInput(input: unknown): SequenceInput {
  return { commands: Sequence.read(input, "input").commands.map(validateCommand) };
}

export function validateMalformedInput(input: unknown): { setup: SequenceInput; message: string } {
  const { setup, message } = Malformed.read(input, "input");
  return { setup: validateSequenceInput(setup), message };
}
