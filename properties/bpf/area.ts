import { BPF_RULES } from "../../model/bpf/rule-catalogue.js";
import { type AreaDefinition, COMPUTING_AREA_INSTANCES } from "../property.js";
import { BPF_PROPERTIES } from "./properties.js";

export const BPF_AREA: AreaDefinition = {
  name: "bpf",
  summary:
    "classic BPF programs: the kernel's validator and interpreter for socket filters (SO_ATTACH_FILTER) and the xt_bpf match",
  profiles: [
    { name: "linux", summary: "current mainline net/core/filter.c and net/netfilter/xt_bpf.c (measured on 6.18)" },
  ],
  defaultProfile: "linux",
  properties: BPF_PROPERTIES,
  rules: Object.values(BPF_RULES),
  maxInstances: COMPUTING_AREA_INSTANCES,
};
