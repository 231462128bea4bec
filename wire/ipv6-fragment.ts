// IPv6 Fragment header (RFC 8200 section 4.5): finding it in a packet,
// building fragment packets, and the packet a reassembler hands upward.
import { PacketError } from "./ip-packet.js";
import { findPrevFhdr } from "./ipv6-exthdr.js";
import { IPPROTO_FRAGMENT } from "./protocol-numbers.js";

export const IPV6_HEADER_LENGTH = 40;
export const FRAGMENT_HEADER_LENGTH = 8;
/** IPV6_MAXPLEN: the largest Payload Length without a Jumbo option. */
export const IPV6_MAXPLEN = 65535;

/** A packet that carries a Fragment header, split where a reassembler splits it. Its byte fields are views into the packet, not copies. */
export interface FragmentPacket {
  /** The whole packet, which the byte fields below are views into. */
  readonly packet: Uint8Array;
  /** The IPv6 header and every extension header before the Fragment header (RFC 8200: the Unfragmentable Part). */
  readonly unfragmentable: Uint8Array;
  /** Offset of the Next Header byte that names the Fragment header (6 when it follows the IPv6 header). */
  prevNextHeaderOffset: number;
  /** Offset of the Fragment header: the length of the Unfragmentable Part. */
  fragmentHeaderOffset: number;
  /** Next Header of the Fragment header: the first header of the Fragmentable Part. */
  nextHeader: number;
  /** Fragment Offset in bytes (the 13-bit field times 8). */
  offset: number;
  /** The M flag. */
  more: boolean;
  /** The two reserved bits between offset and M (RFC 8200: ignored on reception). */
  reserved: number;
  identification: number;
  /** The Fragmentable Part this fragment carries. */
  readonly data: Uint8Array;
  /** data.length, without making the view. */
  dataLength: number;
  trafficClass: number;
}

/**
 * parseFragmentPacket()'s answer. Its two byte views are made when first read:
 * a view costs more than reading every field (a reassembly model parses each
 * fragment it meets, and reads `data` only of those it queues).
 */
class ParsedFragment implements FragmentPacket {
  private unfragmentableView: Uint8Array | undefined;
  private dataView: Uint8Array | undefined;

  constructor(
    readonly packet: Uint8Array,
    readonly prevNextHeaderOffset: number,
    readonly fragmentHeaderOffset: number,
    readonly nextHeader: number,
    readonly offset: number,
    readonly more: boolean,
    readonly reserved: number,
    readonly identification: number,
    readonly dataLength: number,
    readonly trafficClass: number,
  ) {}

  get unfragmentable(): Uint8Array {
    this.unfragmentableView ??= this.packet.subarray(0, this.fragmentHeaderOffset);
    return this.unfragmentableView;
  }

  get data(): Uint8Array {
    this.dataView ??= this.packet.subarray(this.fragmentHeaderOffset + FRAGMENT_HEADER_LENGTH);
    return this.dataView;
  }
}

/** The headers before the Fragment header (findPrevFhdr), or a PacketError naming the one that cannot be read. */
function headersBeforeFragment(
  bytes: Uint8Array,
  what: string,
): { prevNextHeaderOffset: number; at: number; next: number } {
  const walk = findPrevFhdr(bytes);
  if (!walk.ok) throw new PacketError(`${what}: extension header at byte ${walk.at} ${walk.why}`);
  return walk;
}

/**
 * Finds the Fragment header behind hop-by-hop, destination options and
 * routing headers (findPrevFhdr); null when the packet has none (it is not a
 * fragment).
 */
export function parseFragmentPacket(bytes: Uint8Array, what = "packet"): FragmentPacket | null {
  if (bytes.length < IPV6_HEADER_LENGTH || bytes[0]! >> 4 !== 6) throw new PacketError(`${what}: not an IPv6 packet`);
  const payloadLength = (bytes[4]! << 8) | bytes[5]!;
  if (payloadLength + IPV6_HEADER_LENGTH !== bytes.length) {
    throw new PacketError(
      `${what}: IPv6 payload length ${payloadLength} differs from the ${bytes.length - IPV6_HEADER_LENGTH} bytes after the header`,
    );
  }
  const { prevNextHeaderOffset, at, next } = headersBeforeFragment(bytes, what);
  if (next !== IPPROTO_FRAGMENT) return null;
  if (at + FRAGMENT_HEADER_LENGTH > bytes.length)
    throw new PacketError(`${what}: Fragment header at byte ${at} is truncated`);
  const word = (bytes[at + 2]! << 8) | bytes[at + 3]!;
  return new ParsedFragment(
    bytes,
    prevNextHeaderOffset,
    at,
    bytes[at]!, // Next Header
    word & 0xfff8, // Fragment Offset
    (word & 1) === 1, // M
    (word >> 1) & 3, // Res
    ((bytes[at + 4]! << 24) | (bytes[at + 5]! << 16) | (bytes[at + 6]! << 8) | bytes[at + 7]!) >>> 0,
    bytes.length - at - FRAGMENT_HEADER_LENGTH,
    ((bytes[0]! & 0x0f) << 4) | (bytes[1]! >> 4),
  );
}

/** A datagram split at its Fragment header's place: what every fragment repeats, and what is cut. */
export interface DatagramParts {
  unfragmentable: Uint8Array;
  prevNextHeaderOffset: number;
  /** First header of the Fragmentable Part (the original Next Header at prevNextHeaderOffset). */
  nextHeader: number;
  fragmentable: Uint8Array;
}

/** Splits an unfragmented IPv6 packet after its hop-by-hop, destination options and routing headers (findPrevFhdr). */
export function datagramParts(packet: Uint8Array, what = "datagram"): DatagramParts {
  if (packet.length < IPV6_HEADER_LENGTH || packet[0]! >> 4 !== 6) throw new PacketError(`${what}: not an IPv6 packet`);
  const { prevNextHeaderOffset, at, next } = headersBeforeFragment(packet, what);
  return {
    unfragmentable: packet.slice(0, at),
    prevNextHeaderOffset,
    nextHeader: next,
    fragmentable: packet.slice(at),
  };
}

function withPayloadLength(packet: Uint8Array): Uint8Array {
  const length = packet.length - IPV6_HEADER_LENGTH;
  packet[4] = (length >> 8) & 0xff;
  packet[5] = length & 0xff;
  return packet;
}

export interface FragmentFields {
  unfragmentable: Uint8Array;
  prevNextHeaderOffset: number;
  nextHeader: number;
  /** In bytes; must be a multiple of 8 below 65536. */
  offset: number;
  more: boolean;
  identification: number;
  data: Uint8Array;
  reserved?: number;
  /** Replaces the traffic class of the Unfragmentable Part (ECN tests). */
  trafficClass?: number;
}

/** A fragment packet: Unfragmentable Part, Fragment header, data; Payload Length fixed. */
export function buildFragmentPacket(f: FragmentFields): Uint8Array {
  if (f.offset % 8 !== 0 || f.offset < 0 || f.offset > 0xfff8)
    throw new PacketError(`fragment offset ${f.offset} is not a multiple of 8 in 0..65528`);
  const fh = f.unfragmentable.length;
  const out = new Uint8Array(fh + FRAGMENT_HEADER_LENGTH + f.data.length);
  out.set(f.unfragmentable);
  out[f.prevNextHeaderOffset] = IPPROTO_FRAGMENT;
  out[fh] = f.nextHeader;
  const word = f.offset | ((f.reserved ?? 0) << 1) | (f.more ? 1 : 0);
  out[fh + 2] = word >> 8;
  out[fh + 3] = word & 0xff;
  out[fh + 4] = (f.identification >>> 24) & 0xff;
  out[fh + 5] = (f.identification >>> 16) & 0xff;
  out[fh + 6] = (f.identification >>> 8) & 0xff;
  out[fh + 7] = f.identification & 0xff;
  out.set(f.data, fh + FRAGMENT_HEADER_LENGTH);
  if (f.trafficClass !== undefined) setTrafficClass(out, f.trafficClass);
  if (out.length - IPV6_HEADER_LENGTH > IPV6_MAXPLEN)
    throw new PacketError(`fragment of ${out.length} bytes exceeds the IPv6 payload limit`);
  return withPayloadLength(out);
}

/**
 * The packet handed to the upper layer: the Unfragmentable Part with the
 * Fragment header gone, the preceding Next Header set to the fragment's
 * Next Header, and Payload Length recomputed (RFC 8200 section 4.5,
 * "Reassembly"; the adapter protocol's frag6.run).
 */
export function reassembledPacket(
  unfragmentable: Uint8Array,
  prevNextHeaderOffset: number,
  nextHeader: number,
  payload: Uint8Array,
): Uint8Array {
  return reassembledFromPieces(unfragmentable, prevNextHeaderOffset, nextHeader, payload.length, [
    { offset: 0, data: payload },
  ]);
}

/**
 * Room for a reassembled datagram: `n` bytes of its own, carved from a shared
 * ArrayBuffer (as Node's Buffer pool does), each window handed out once. An
 * ArrayBuffer for each datagram cost more than building it (a reassembly
 * model builds one per completed queue), and the collector then tracks each.
 * The bytes are not zeroed: the caller writes every one (reassembledFromPieces()).
 */
function datagramBytes(n: number): Uint8Array {
  if (n > SLAB_SIZE / 2) return new Uint8Array(Buffer.allocUnsafeSlow(n).buffer, 0, n);
  if (slabUsed + n > slab.byteLength) {
    slab = Buffer.allocUnsafeSlow(SLAB_SIZE).buffer;
    slabUsed = 0;
  }
  const out = new Uint8Array(slab, slabUsed, n);
  slabUsed += n;
  return out;
}
/** Under glibc's mmap threshold (128 KiB): a slab's memory is reused from the heap, not faulted in afresh. */
const SLAB_SIZE = 64 * 1024;
let slab = new ArrayBuffer(0);
let slabUsed = 0;

/** Whether `pieces` fill [0, length) exactly: each inside it, none overlapping another, together `length` bytes. */
function fill(pieces: readonly { offset: number; data: Uint8Array }[], length: number): boolean {
  let total = 0;
  let inOrder = true; // each piece starting at or after the end of the one before: none overlap
  let previousEnd = 0;
  for (const p of pieces) {
    if (p.offset < 0 || p.offset + p.data.length > length) return false;
    total += p.data.length;
    if (p.offset < previousEnd) inOrder = false;
    previousEnd = p.offset + p.data.length;
  }
  if (total !== length) return false;
  if (inOrder) return true;
  const byOffset = [...pieces].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < byOffset.length; i++)
    if (byOffset[i]!.offset < byOffset[i - 1]!.offset + byOffset[i - 1]!.data.length) return false;
  return true;
}

/**
 * reassembledPacket() with a Fragmentable Part of `length` bytes made of
 * `pieces`, each fragment's data at its offset, copied once into the packet.
 */
export function reassembledFromPieces(
  unfragmentable: Uint8Array,
  prevNextHeaderOffset: number,
  nextHeader: number,
  length: number,
  pieces: readonly { offset: number; data: Uint8Array }[],
): Uint8Array {
  const out = datagramBytes(unfragmentable.length + length);
  if (!fill(pieces, length)) out.fill(0); // a byte no piece writes is 0
  out.set(unfragmentable);
  out[prevNextHeaderOffset] = nextHeader;
  for (const piece of pieces) out.set(piece.data, unfragmentable.length + piece.offset);
  // A reassembled datagram larger than 65535 is never built; callers check first.
  return withPayloadLength(out);
}

export function setTrafficClass(packet: Uint8Array, tc: number): void {
  packet[0] = 0x60 | ((tc >> 4) & 0x0f);
  packet[1] = ((tc & 0x0f) << 4) | (packet[1]! & 0x0f);
}

export function trafficClassOf(packet: Uint8Array): number {
  return ((packet[0]! & 0x0f) << 4) | (packet[1]! >> 4);
}
