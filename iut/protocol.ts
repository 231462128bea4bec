// Shapes of the adapter protocol, version 1 (../shared/adapter-protocol.md).
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
} from "../sys/errno.js";

export const PROTOCOL_VERSION = 1;

export const AREA_NAMES = ["hooks", "frag6", "checksum", "bpf", "cttimeout"] as const;
export type AreaName = (typeof AREA_NAMES)[number];

export function isAreaName(value: unknown): value is AreaName {
  return typeof value === "string" && (AREA_NAMES as readonly string[]).includes(value);
}

export interface Hello {
  name: string;
  version: string;
  areas: AreaName[];
  /** The profile the IUT claims per area; absent means the area's default. */
  profiles: Partial<Record<AreaName, string>>;
}

export type ErrorCode = "unsupported" | "invalid" | "internal";
export const ERROR_CODES: readonly ErrorCode[] = ["unsupported", "invalid", "internal"];

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

export type Params = Record<string, unknown>;
export type Result = Record<string, unknown>;
