// The adapter protocol's session and envelope, version 1 (docs/adapter-protocol.md):
// area names, hello, reset, the request and reply envelopes and the error
// reply. Per-area ops are declared in iut/ops/<area>.ts.
import Type, { type Static } from "typebox";
import {
  E2BIG,
  EAFNOSUPPORT,
  EBUSY,
  EEXIST,
  EINVAL,
  ENODEV,
  ENOENT,
  EOPNOTSUPP,
  EPERM,
  EPROTO,
  ERANGE,
} from "../../sys/errno.js";
import { shape } from "./codec.js";

export const PROTOCOL_VERSION = 1;

export const AREA_NAMES = ["hooks", "frag6", "checksum", "bpf", "cttimeout"] as const;
export type AreaName = (typeof AREA_NAMES)[number];

export function isAreaName(value: unknown): value is AreaName {
  return typeof value === "string" && (AREA_NAMES as readonly string[]).includes(value);
}

/**
 * `crashed` (an addition within version 1): the implementation itself crashed
 * on this request and the adapter survived it, a finding about the case, not
 * a fault of the adapter (docs/adapter-protocol.md).
 */
export const ERROR_CODES = ["unsupported", "invalid", "internal", "crashed"] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Linux errno numbers the protocol names (their values live in sys/errno.ts). */
export const Errno = {
  EPERM,
  ENOENT,
  E2BIG,
  EBUSY,
  EEXIST,
  ENODEV,
  EINVAL,
  ERANGE,
  EPROTO,
  EOPNOTSUPP,
  EAFNOSUPPORT,
} as const;

/** A request's parameters and a reply's result as they travel, before their op's reader has checked them. */
export type Params = Record<string, unknown>;
export type Result = Record<string, unknown>;

/** `{"id": <integer>, "op": "<name>", ...parameters}` */
export const RequestEnvelope = shape(Type.Object({ id: Type.Integer(), op: Type.String() }));

/** `{"id": <same integer>, ...result}`; an error reply's id is null when the request had none. */
export const ReplyEnvelope = shape(Type.Object({ id: Type.Union([Type.Integer(), Type.Null()]) }));

/** `{"error": {"code": ..., "message": ...}}`: an adapter-side failure, not a conformance verdict. */
export const ErrorReply = shape(
  Type.Object({ error: Type.Object({ code: Type.Enum(ERROR_CODES), message: Type.String() }) }),
);
export type ErrorReply = Static<typeof ErrorReply.schema>;

export const HelloRequest = shape(Type.Object({ protocol: Type.Integer() }));

const AREA_LIST = `a list of areas out of ${AREA_NAMES.join(", ")}`;
export const HelloReply = shape(
  Type.Object({
    /** The protocol version the adapter speaks; absent means 1. */
    protocol: Type.Optional(Type.Integer({ description: "the protocol version the adapter speaks; absent means 1" })),
    name: Type.String(),
    version: Type.String(),
    areas: Type.Array(Type.Enum(AREA_NAMES), { description: AREA_LIST }),
    /** The profile the IUT claims per area; absent means the area's default. */
    profiles: Type.Optional(
      Type.Object(
        {
          hooks: Type.Optional(Type.String()),
          frag6: Type.Optional(Type.String()),
          checksum: Type.Optional(Type.String()),
          bpf: Type.Optional(Type.String()),
          cttimeout: Type.Optional(Type.String()),
        },
        { additionalProperties: false, description: "an object naming a profile (a string) per area" },
      ),
    ),
    /** Optional ops the adapter implements (hooks.batch); absent means none. */
    ops: Type.Optional(Type.Array(Type.String(), { description: "a list of the optional ops the adapter implements" })),
  }),
);

export interface Hello {
  name: string;
  version: string;
  areas: AreaName[];
  /** The profile the IUT claims per area; absent means the area's default. */
  profiles: Partial<Record<AreaName, string>>;
  /** Optional ops the IUT implements (iut/ops/index.ts OPTIONAL_OPS); absent means none. */
  ops?: string[];
}

/** A hello reply, or an Error naming the field; `profiles` defaults to none claimed, `ops` is kept only when given. */
export function readHello(reply: unknown): Hello {
  const { name, version, areas, profiles, ops } = HelloReply.read(reply, "hello reply");
  return { name, version, areas, profiles: profiles ?? {}, ...(ops ? { ops } : {}) };
}

/** Whether the IUT's hello lists an optional op. */
export function offersOp(hello: Hello, op: string): boolean {
  return hello.ops?.includes(op) ?? false;
}

/** `reset` `{}` -> `{}` */
export const ResetRequest = shape(Type.Object({}));
export const ResetReply = shape(Type.Object({}));
