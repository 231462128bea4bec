import { FRAG6_RULES } from "../../model/frag6/rule-catalogue.js";
import { FRAG6_DEFAULT_PROFILE, FRAG6_PROFILES, type Frag6Profile } from "../../model/frag6/profiles.js";
import type { AreaDefinition } from "../property.js";
import { FRAG6_PROPERTIES } from "./properties.js";

const PROFILE_SUMMARIES: Record<Frag6Profile, string> = {
  rfc8200:
    "RFC 8200 section 4.5 with RFC 5722 (+ erratum 3089), RFC 6946, RFC 7112: any overlap abandons the datagram; where the RFC leaves a choice, every allowed outcome conforms",
  "linux-ipv6":
    "net/ipv6/reassembly.c (the plain stack, as measured on 6.18): run-based duplicates, malformed and inconsistent fragments discard the queue",
  "linux-nfct":
    "net/ipv6/netfilter/nf_conntrack_reasm.c in front of the plain stack: run-based duplicates, inconsistent fragments dropped with the queue kept",
};

export const FRAG6_AREA: AreaDefinition = {
  name: "frag6",
  summary:
    "IPv6 fragment reassembly at a receiving node (RFC 8200 section 4.5; Linux reassembly.c and nf_conntrack_reasm.c)",
  profiles: FRAG6_PROFILES.map((name) => ({ name, summary: PROFILE_SUMMARIES[name] })),
  defaultProfile: FRAG6_DEFAULT_PROFILE,
  properties: FRAG6_PROPERTIES,
  rules: Object.values(FRAG6_RULES),
};
