import { CHECKSUM_RULES } from "../../model/checksum/rule-catalogue.js";
import { CHECKSUM_PROFILES } from "../../model/checksum/checksum-target.js";
import { type AreaDefinition, COMPUTING_AREA_INSTANCES } from "../property.js";
import { CHECKSUM_PROPERTIES } from "./properties.js";

const PROFILE_SUMMARIES: Record<(typeof CHECKSUM_PROFILES)[number], string> = {
  linux: "current mainline: fills CHECKSUM_PARTIAL packets that are not GSO",
  "linux-2.6.35": "as merged in 2010: a computed 0 is stored as 0x0000; GSO packets are left unfilled",
};

export const CHECKSUM_AREA: AreaDefinition = {
  name: "checksum",
  summary: "the xtables CHECKSUM target (-j CHECKSUM --checksum-fill) and its rule check",
  profiles: CHECKSUM_PROFILES.map((name) => ({ name, summary: PROFILE_SUMMARIES[name] })),
  defaultProfile: "linux",
  properties: CHECKSUM_PROPERTIES,
  rules: Object.values(CHECKSUM_RULES),
  maxInstances: COMPUTING_AREA_INSTANCES,
};
