// Builders for the packets generators make. They produce well-formed headers;
// the transport checksum is whatever the caller puts there.
import { internetChecksum } from "./internet-checksum.js";

export interface Ipv4Fields {
  src: Uint8Array;
  dst: Uint8Array;
  protocol: number;
  ttl?: number;
  id?: number;
  tos?: number;
  dontFragment?: boolean;
}

export function buildIpv4(fields: Ipv4Fields, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(20 + payload.length);
  const view = new DataView(out.buffer);
  out[0] = 0x45;
  out[1] = fields.tos ?? 0;
  view.setUint16(2, out.length);
  view.setUint16(4, fields.id ?? 0);
  view.setUint16(6, fields.dontFragment ? 0x4000 : 0);
  out[8] = fields.ttl ?? 64;
  out[9] = fields.protocol;
  out.set(fields.src, 12);
  out.set(fields.dst, 16);
  view.setUint16(10, internetChecksum(out.subarray(0, 20)));
  out.set(payload, 20);
  return out;
}

export interface Ipv6ExtensionHeader {
  /** 0 hop-by-hop, 43 routing, 60 destination options. */
  type: number;
  /** Option bytes after the 2-byte next-header/length prefix; padded to 8n+6. */
  body: Uint8Array;
}

export interface Ipv6Fields {
  src: Uint8Array;
  dst: Uint8Array;
  nextHeader: number;
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
  extensionHeaders?: Ipv6ExtensionHeader[];
}

export function buildIpv6(fields: Ipv6Fields, payload: Uint8Array): Uint8Array {
  const extensions = (fields.extensionHeaders ?? []).map((ext, i, all) => {
    const next = i + 1 < all.length ? all[i + 1]!.type : fields.nextHeader;
    const length = Math.ceil((ext.body.length + 2) / 8) * 8;
    const bytes = new Uint8Array(length);
    bytes[0] = next;
    bytes[1] = length / 8 - 1;
    bytes.set(ext.body, 2); // trailing zero bytes are Pad1 options
    return bytes;
  });
  const extLength = extensions.reduce((n, e) => n + e.length, 0);
  const out = new Uint8Array(40 + extLength + payload.length);
  const view = new DataView(out.buffer);
  const tc = fields.trafficClass ?? 0;
  view.setUint32(0, (6 << 28) | (tc << 20) | ((fields.flowLabel ?? 0) & 0xfffff));
  view.setUint16(4, extLength + payload.length);
  out[6] = extensions.length > 0 ? fields.extensionHeaders![0]!.type : fields.nextHeader;
  out[7] = fields.hopLimit ?? 64;
  out.set(fields.src, 8);
  out.set(fields.dst, 24);
  let at = 40;
  for (const ext of extensions) {
    out.set(ext, at);
    at += ext.length;
  }
  out.set(payload, at);
  return out;
}

export function buildUdp(srcPort: number, dstPort: number, payload: Uint8Array, checksum = 0): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, srcPort);
  view.setUint16(2, dstPort);
  view.setUint16(4, out.length & 0xffff);
  view.setUint16(6, checksum);
  out.set(payload, 8);
  return out;
}

export interface TcpFields {
  srcPort: number;
  dstPort: number;
  seq?: number;
  ack?: number;
  /** Flag bits of byte 13 (FIN 0x01 ... ACK 0x10). */
  flags?: number;
  window?: number;
  /** Options, padded with zero (end of option list) to a multiple of 4. */
  options?: Uint8Array;
}

export function buildTcp(fields: TcpFields, payload: Uint8Array, checksum = 0): Uint8Array {
  const optionLength = Math.ceil((fields.options?.length ?? 0) / 4) * 4;
  const headerLength = 20 + optionLength;
  const out = new Uint8Array(headerLength + payload.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, fields.srcPort);
  view.setUint16(2, fields.dstPort);
  view.setUint32(4, fields.seq ?? 0);
  view.setUint32(8, fields.ack ?? 0);
  out[12] = (headerLength / 4) << 4;
  out[13] = fields.flags ?? 0x18;
  view.setUint16(14, fields.window ?? 65535);
  view.setUint16(16, checksum);
  if (fields.options) out.set(fields.options, 20);
  out.set(payload, headerLength);
  return out;
}
