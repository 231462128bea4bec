import { CTTIMEOUT_RULES } from "../../model/cttimeout/rule-catalogue.js";
import { CTTIMEOUT_PROFILES, PROFILE_HZ } from "../../model/cttimeout/rules.js";
import { type AreaDefinition, COMPUTING_AREA_INSTANCES } from "../property.js";
import { CTTIMEOUT_PROPERTIES } from "./properties.js";

export const CTTIMEOUT_AREA: AreaDefinition = {
  name: "cttimeout",
  summary: "conntrack timeout policy objects (nfnetlink subsystem 8), their replies, defaults and reference counts",
  profiles: CTTIMEOUT_PROFILES.map((name) => ({
    name,
    summary:
      name === "linux-6.1"
        ? "6.1 LTS (CONFIG_HZ=250): DEFAULT_SET without L3PROTO is refused (EINVAL); the check was dropped in 2024"
        : `current mainline built with CONFIG_HZ=${PROFILE_HZ[name]}${name === "linux" ? " (the Kconfig default)" : ""}: timeouts wrap at 2^32 jiffies`,
  })),
  defaultProfile: "linux",
  properties: CTTIMEOUT_PROPERTIES,
  rules: Object.values(CTTIMEOUT_RULES),
  maxInstances: COMPUTING_AREA_INSTANCES,
};
