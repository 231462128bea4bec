// Checks hooks cases read back from corpus files before they are replayed:
// each command has its op's request shape (iut/ops/hooks.ts); a fill, which
// only the corpus knows, is declared here with the same field shapes.
import Type from "typebox";
import { shape } from "../../iut/ops/codec.js";
import { NonEmptyString } from "../../iut/ops/fields.js";
import { hooksRegister, hooksTraverse, hooksUnregister, Priority, RegistrationFields } from "../../iut/ops/hooks.js";
import { hooksRules } from "../../model/hooks/profiles.js";
import { traversedList } from "../../model/hooks/traverse.js";
import { asRecord } from "../checksum/input-validation.js";
import { fillRegistrations, type HookCommand, type SequenceInput } from "./commands.js";

/** A fill may not go past this: the limit is 1024, a little more shows it. */
const MAX_FILL = 4096;

const { family, hook, device, verdict } = RegistrationFields;
const FillCommand = shape(
  Type.Object({
    prefix: NonEmptyString,
    count: Type.Integer({ minimum: 1, maximum: MAX_FILL }),
    family,
    hook,
    device,
    priorities: Type.Array(Priority, { minItems: 1 }),
    verdict,
  }),
);

const Sequence = shape(Type.Object({ commands: Type.Array(Type.Unknown(), { minItems: 1 }) }));

function command(input: unknown, at: string): HookCommand {
  const r = asRecord(input);
  switch (r.op) {
    case "register": {
      const { name, family, hook, priority, verdict, device } = hooksRegister.request.read(r, at);
      return { op: "register", name, family, hook, priority, verdict, device };
    }
    case "unregister":
      return { op: "unregister", name: hooksUnregister.request.read(r, at).name };
    case "traverse": {
      const { family, hook, device } = hooksTraverse.request.read(r, at);
      return { op: "traverse", family, hook, device };
    }
    case "fill": {
      const { prefix, count, family, hook, device, priorities, verdict } = FillCommand.read(r, at);
      return { op: "fill", prefix, count, family, hook, device, priorities, verdict };
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
  const commands = Sequence.read(input, "input").commands.map((c, i) => command(c, `commands[${i}]`));
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
