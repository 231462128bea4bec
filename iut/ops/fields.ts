// Field shapes several ops share, declared once.
import Type from "typebox";

/** Byte strings travel as lowercase hex with no separators. */
export const Hex = Type.String({ pattern: "^(?:[0-9a-f]{2})*$", description: "a lowercase hex string" });

/** A positive Linux errno number, 0 for success. */
export const ErrnoField = Type.Integer({ minimum: 0, maximum: 4095, description: "an errno number (0 or positive)" });

/** `{"errno": n}`, the reply of every op that only succeeds or fails. */
export const ErrnoReply = Type.Object({ errno: ErrnoField });

export const NonEmptyString = Type.String({ minLength: 1 });

export function integer(minimum: number, maximum: number) {
  return Type.Integer({ minimum, maximum });
}

export const NonNegative = Type.Integer({ minimum: 0 });

/** A field that is present and may be null. */
export function nullable<T extends Parameters<typeof Type.Union>[0][number]>(type: T) {
  return Type.Union([type, Type.Null()]);
}
