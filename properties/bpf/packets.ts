// Packets for the bpf area: well-formed IPv4/IPv6 packets (so the xt_bpf
// context can carry them unchanged: lengths and the IPv4 header checksum are
// right, the ID is not 0, addresses are unicast) of lengths that tell return
// values apart in the socket context.
import fc from "fast-check";
import { internetChecksum } from "../../wire/internet-checksum.js";

function unicast4(): fc.Arbitrary<number[]> {
  // 1..223 without 127 (loopback) and 192.0.2.x (the kernel IUT's test network).
  return fc.tuple(
    fc.integer({ min: 1, max: 223 }).filter((b) => b !== 127 && b !== 192),
    fc.nat(255),
    fc.nat(255),
    fc.integer({ min: 1, max: 254 }),
  );
}

function unicast6(): fc.Arbitrary<number[]> {
  // 2000::/3 global unicast.
  return fc.array(fc.nat(255), { minLength: 16, maxLength: 16 }).map((a) => [0x20 | (a[0]! & 0x1f), ...a.slice(1)]);
}

export function ipv4Packet(payloadMax: number): fc.Arbitrary<Uint8Array> {
  return fc
    .record({
      tos: fc.nat(255),
      id: fc.integer({ min: 1, max: 0xffff }),
      df: fc.boolean(),
      ttl: fc.integer({ min: 1, max: 255 }),
      proto: fc.oneof(fc.constantFrom(6, 17, 1), fc.nat(255)),
      src: unicast4(),
      dst: unicast4(),
      payload: fc.uint8Array({ minLength: 0, maxLength: payloadMax }),
    })
    .map((g) => {
      const p = new Uint8Array(20 + g.payload.length);
      p[0] = 0x45;
      p[1] = g.tos;
      p[2] = p.length >> 8;
      p[3] = p.length & 0xff;
      p[4] = g.id >> 8;
      p[5] = g.id & 0xff;
      p[6] = g.df ? 0x40 : 0;
      p[8] = g.ttl;
      p[9] = g.proto;
      p.set(g.src, 12);
      p.set(g.dst, 16);
      p.set(g.payload, 20);
      const c = internetChecksum(p, 0, 20);
      p[10] = c >> 8;
      p[11] = c & 0xff;
      return p;
    });
}

export function ipv6Packet(payloadMax: number): fc.Arbitrary<Uint8Array> {
  return fc
    .record({
      tc: fc.nat(255),
      flow: fc.nat(0xfffff),
      next: fc.oneof(
        fc.constantFrom(6, 17, 58),
        fc.nat(255).filter((n) => n !== 0),
      ),
      hop: fc.integer({ min: 1, max: 255 }),
      src: unicast6(),
      dst: unicast6(),
      payload: fc.uint8Array({ minLength: 0, maxLength: payloadMax }),
    })
    .map((g) => {
      const p = new Uint8Array(40 + g.payload.length);
      p[0] = 0x60 | (g.tc >> 4);
      p[1] = ((g.tc & 0xf) << 4) | (g.flow >> 16);
      p[2] = (g.flow >> 8) & 0xff;
      p[3] = g.flow & 0xff;
      p[4] = g.payload.length >> 8;
      p[5] = g.payload.length & 0xff;
      p[6] = g.next;
      p[7] = g.hop;
      p.set(g.src, 8);
      p.set(g.dst, 24);
      p.set(g.payload, 40);
      return p;
    });
}

/** An IPv4 or IPv6 packet of 20..~200 bytes. */
export function ipPacket(): fc.Arbitrary<Uint8Array> {
  return fc.oneof(ipv4Packet(160), ipv6Packet(140));
}
