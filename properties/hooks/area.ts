import { HOOKS_RULES_CATALOGUE } from "../../model/hooks/rule-catalogue.js";
import { HOOKS_PROFILES } from "../../model/hooks/profiles.js";
import { type AreaDefinition, COMPUTING_AREA_INSTANCES } from "../property.js";
import { DEFRAG_PROPERTY } from "./defrag.js";
import { HOOKS_PROPERTIES } from "./properties.js";

const PROFILE_SUMMARIES: Record<(typeof HOOKS_PROFILES)[number], string> = {
  linux:
    "current mainline: equal priorities go before existing ones, 1024 hooks per list, inet ingress and netdev egress",
  "linux-seed": "the seed core.c (array code before 5.10): as linux, but no inet ingress and no netdev egress",
  "linux-list": "the linked-list core of v4.13 and older: equal priorities go after existing ones, no limit",
};

export const HOOKS_AREA: AreaDefinition = {
  name: "hooks",
  summary: "netfilter hook registration order, limits and traversal (nf_register_net_hook, nf_hook_slow)",
  profiles: HOOKS_PROFILES.map((name) => ({ name, summary: PROFILE_SUMMARIES[name] })),
  defaultProfile: "linux",
  properties: [...HOOKS_PROPERTIES, DEFRAG_PROPERTY],
  rules: Object.values(HOOKS_RULES_CATALOGUE),
  maxInstances: COMPUTING_AREA_INSTANCES,
};
