// The spec sentence each frag6 pattern class tests, quoted word for word, for
// the spec-clarification page (and anyone asking "which rule is this row
// about?"). Where the RFCs say nothing, `silent` says so and the quote is the
// nearest sentence they do say; the rfc8200 profile's choices for each of
// these are in docs/model-frag6.md.
import type { Frag6Class } from "./stream.js";

export interface SpecQuote {
  /** Where the text stands, e.g. "RFC 8200 section 4.5". */
  source: string;
  text: string;
  /** What the sources leave open for this class, when they leave it open. */
  silent?: string;
}

const RFC8200 = "RFC 8200 section 4.5";

const KEY: SpecQuote = {
  source: RFC8200,
  text: "An original packet is reassembled only from fragment packets that have the same Source Address, Destination Address, and Fragment Identification.",
};

const PLACED_BY_OFFSET: SpecQuote = {
  source: RFC8200,
  text: "The length of each fragment is computed by subtracting from the packet's Payload Length the length of the headers between the IPv6 header and fragment itself; its relative position in Fragmentable Part is computed from its Fragment Offset value.",
};

const TIMEOUT: SpecQuote = {
  source: RFC8200,
  text: "If insufficient fragments are received to complete reassembly of a packet within 60 seconds of the reception of the first-arriving fragment of that packet, reassembly of that packet must be abandoned and all the fragments that have been received for that packet must be discarded. If the first fragment (i.e., the one with a Fragment Offset of zero) has been received, an ICMP Time Exceeded -- Fragment Reassembly Time Exceeded message should be sent to the source of that fragment.",
};

const OVERLAP: SpecQuote = {
  source: `${RFC8200} (from RFC 5722)`,
  text: "If any of the fragments being reassembled overlap with any other fragments being reassembled for the same packet, reassembly of that packet must be abandoned and all the fragments that have been received for that packet must be discarded, and no ICMP error messages should be sent.",
};

const LAST_SETS_LENGTH: SpecQuote = {
  source: RFC8200,
  text: "The Payload Length of the reassembled packet is computed from the length of the Per-Fragment headers and the length and offset of the last fragment.",
};

export const SPEC_QUOTES: Record<Frag6Class, SpecQuote> = {
  "in-order": PLACED_BY_OFFSET,
  reordered: PLACED_BY_OFFSET,
  loss: TIMEOUT,
  "duplicate-exact": {
    source: RFC8200,
    text: "It should be noted that fragments may be duplicated in the network. Instead of treating these exact duplicate fragments as overlapping fragments, an implementation may choose to detect this case and drop exact duplicate fragments while keeping the other fragments belonging to the same packet.",
  },
  "overlap-partial-head": OVERLAP,
  "overlap-partial-tail": OVERLAP,
  "overlap-containing": OVERLAP,
  "overlap-contained-equal": OVERLAP,
  "overlap-contained-different": OVERLAP,
  "overlap-across-runs": {
    source: 'RFC 5722 section 4 (erratum 3089 strikes "including those not yet received")',
    text: "When reassembling an IPv6 datagram, if one or more its constituent fragments is determined to be an overlapping fragment, the entire datagram (and any constituent fragments, including those not yet received) MUST be silently discarded.",
  },
  "zero-length": {
    source: "RFC 4443 section 3.4",
    text: "If an IPv6 node processing a packet finds a problem with a field in the IPv6 header or extension headers such that it cannot complete processing the packet, it MUST discard the packet and SHOULD originate an ICMPv6 Parameter Problem message to the packet's source, indicating the type and location of the problem.",
    silent:
      "RFC 8200 section 4.5 says nothing of a fragment with no data (0 is a multiple of 8, so its length rule does not apply).",
  },
  unaligned: {
    source: RFC8200,
    text: "If the length of a fragment, as derived from the fragment packet's Payload Length field, is not a multiple of 8 octets and the M flag of that fragment is 1, then that fragment must be discarded and an ICMP Parameter Problem, Code 0, message should be sent to the source of the fragment, pointing to the Payload Length field of the fragment packet.",
  },
  oversized: {
    source: RFC8200,
    text: "If the length and offset of a fragment are such that the Payload Length of the packet reassembled from that fragment would exceed 65,535 octets, then that fragment must be discarded and an ICMP Parameter Problem, Code 0, message should be sent to the source of the fragment, pointing to the Fragment Offset field of the fragment packet.",
  },
  "conflicting-last": {
    ...LAST_SETS_LENGTH,
    silent: "No sentence says which of two last fragments with different ends sets the length.",
  },
  "beyond-end": {
    ...LAST_SETS_LENGTH,
    silent: "No sentence says what becomes of a fragment that lies past the last fragment's end.",
  },
  "atomic-beside-queue": {
    source: "RFC 6946 section 4",
    text: 'A host that receives an IPv6 packet that includes a Fragment Header with the "Fragment Offset" equal to 0 and the "M" flag equal to 0 MUST process that packet in isolation from any other packets/fragments, even if such packets/fragments contain the same set {IPv6 Source Address, IPv6 Destination Address, Fragment Identification}.',
  },
  "tiny-first": {
    source: `${RFC8200} (from RFC 7112)`,
    text: "If the first fragment does not include all headers through an Upper-Layer header, then that fragment should be discarded and an ICMP Parameter Problem, Code 3, message should be sent to the source of the fragment, with the Pointer field set to zero.",
  },
  interleaved: KEY,
  "ecn-mixed": {
    source: "RFC 3168 section 5.3",
    text: "Reassembly of a fragmented packet MUST NOT lose indications of congestion.",
  },
  "timeout-spread": TIMEOUT,
  flood: {
    ...TIMEOUT,
    silent:
      "RFC 8200 sets no limit on the memory reassembly may take; only the 60 seconds bound how long fragments are held.",
  },
};
