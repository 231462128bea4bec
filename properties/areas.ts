// Every area the suite checks. Areas of the protocol not listed here have no
// properties yet; `nfconform list` says so.
import type { AreaName } from "../iut/protocol.js";
import { CHECKSUM_AREA } from "./checksum/area.js";
import { HOOKS_AREA } from "./hooks/area.js";
import { BPF_AREA } from "./bpf/area.js";
import { CTTIMEOUT_AREA } from "./cttimeout/area.js";
import { FRAG6_AREA } from "./frag6/area.js";
import type { AreaDefinition } from "./property.js";

export const AREAS: readonly AreaDefinition[] = [CHECKSUM_AREA, HOOKS_AREA, BPF_AREA, CTTIMEOUT_AREA, FRAG6_AREA];

export function findArea(name: AreaName): AreaDefinition | undefined {
  return AREAS.find((a) => a.name === name);
}
