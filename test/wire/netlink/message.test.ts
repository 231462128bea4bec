import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../../wire/hex.js";
import {
  NLM_F_ACK,
  NLM_F_CAPPED,
  NLM_F_REQUEST,
  NLMSG_ERROR,
  NetlinkDecodeError,
  decodeErrorMessage,
  decodeMessages,
  encodeErrorMessage,
  encodeMessage,
  encodeMessages,
  nlmsgAlign,
} from "../../../wire/netlink/message.js";

const arbMessage = fc.record({
  type: fc.integer({ min: 0, max: 0xffff }),
  flags: fc.integer({ min: 0, max: 0xffff }),
  seq: fc.nat({ max: 0xffffffff }),
  pid: fc.nat({ max: 0xffffffff }),
  payload: fc.uint8Array({ maxLength: 64 }),
});

function expectDecodeError(fn: () => unknown, offset: number, text: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NetlinkDecodeError);
    expect((e as NetlinkDecodeError).offset).toBe(offset);
    expect((e as Error).message).toMatch(text);
    expect((e as Error).message).toContain(`offset ${offset}`);
    return;
  }
  throw new Error("expected a NetlinkDecodeError");
}

describe("nlmsghdr codec", () => {
  it("encodes the header little-endian and pads to 4 bytes", () => {
    const bytes = encodeMessage({
      type: 0x0a00,
      flags: NLM_F_REQUEST | NLM_F_ACK,
      seq: 7,
      pid: 0,
      payload: Uint8Array.of(1, 2, 3, 4, 5),
    });
    expect(toHex(bytes)).toBe("15000000000a05000700000000000000" + "0102030405000000");
  });

  it("round-trips any sequence of messages", () => {
    fc.assert(
      fc.property(fc.array(arbMessage, { maxLength: 6 }), (msgs) => {
        const buf = encodeMessages(msgs);
        expect(buf.length % 4).toBe(0);
        const back = decodeMessages(buf);
        expect(back.map(({ offset: _o, ...m }) => ({ ...m, payload: Array.from(m.payload) }))).toEqual(
          msgs.map((m) => ({ ...m, payload: Array.from(m.payload) })),
        );
        let at = 0;
        back.forEach((m, i) => {
          expect(m.offset).toBe(at);
          at += nlmsgAlign(16 + msgs[i]!.payload.length);
        });
      }),
    );
  });

  it("accepts a last message without its trailing padding", () => {
    const buf = encodeMessage({ type: 3, flags: 0, seq: 1, pid: 2, payload: Uint8Array.of(9) });
    expect(decodeMessages(buf.subarray(0, 17))[0]!.payload).toEqual(Uint8Array.of(9));
  });

  it("rejects nlmsg_len below the header size, naming the offset", () => {
    const good = encodeMessages([
      { type: 1, flags: 0, seq: 0, pid: 0, payload: new Uint8Array(16) },
      { type: 1, flags: 0, seq: 0, pid: 0, payload: new Uint8Array(0) },
    ]);
    new DataView(good.buffer).setUint32(32, 12, true);
    expectDecodeError(
      () => decodeMessages(good),
      32,
      /nlmsghdr at offset 32: nlmsg_len 12 is less than the 16-byte header/,
    );
  });

  it("rejects a message overrunning the buffer (truncated input)", () => {
    fc.assert(
      fc.property(arbMessage, fc.nat(), (m, cut) => {
        const buf = encodeMessage({ ...m, payload: new Uint8Array(m.payload.length + 1) });
        const len = 16 + m.payload.length + 1;
        const keep = 16 + (cut % (len - 16)); // at least a whole header, less than the message
        expectDecodeError(() => decodeMessages(buf.subarray(0, keep)), 0, /overruns the buffer/);
      }),
    );
  });

  it("rejects trailing bytes too short for a header (misaligned stream)", () => {
    const buf = new Uint8Array(20 + 6);
    buf.set(encodeMessage({ type: 3, flags: 2, seq: 0, pid: 0, payload: new Uint8Array(4) }));
    expectDecodeError(() => decodeMessages(buf), 20, /6 trailing bytes are too short/);
  });

  it("reports offsets relative to the outer buffer when given a base", () => {
    expectDecodeError(() => decodeMessages(new Uint8Array(3), 100), 100, /nlmsghdr at offset 100/);
  });
});

describe("NLMSG_ERROR", () => {
  const request = {
    type: 0x0a06,
    flags: NLM_F_REQUEST | NLM_F_ACK,
    seq: 42,
    pid: 0,
    payload: Uint8Array.of(2, 0, 0, 0, 8, 0, 1, 0, 0x61, 0, 0, 0),
  };

  it("round-trips capped and uncapped errors and acks", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4095 }), fc.boolean(), (errno, capAck) => {
        const [m] = decodeMessages(encodeErrorMessage(request, errno, { capAck }));
        expect(m!.type).toBe(NLMSG_ERROR);
        const e = decodeErrorMessage(m!);
        expect(e.errno).toBe(errno);
        expect(e.request.seq).toBe(42);
        expect(e.request.length).toBe(16 + request.payload.length);
        const capped = errno === 0 || capAck;
        expect(e.capped).toBe(capped);
        expect(Array.from(e.requestPayload)).toEqual(capped ? [] : Array.from(request.payload));
      }),
    );
  });

  it("rejects an uncapped error that does not hold the whole request", () => {
    const bytes = encodeErrorMessage(request, 22, { capAck: false });
    const cut = bytes.slice(0, bytes.length - 4);
    new DataView(cut.buffer).setUint32(0, cut.length, true);
    const [m] = decodeMessages(cut);
    expectDecodeError(
      () => decodeErrorMessage(m!),
      20,
      /should carry the whole 28-byte request but only 24 bytes follow/,
    );
  });

  it("rejects a payload too short for error plus header", () => {
    const bytes = encodeMessage({
      type: NLMSG_ERROR,
      flags: NLM_F_CAPPED,
      seq: 0,
      pid: 0,
      payload: new Uint8Array(12),
    });
    expectDecodeError(
      () => decodeErrorMessage(decodeMessages(bytes)[0]!),
      16,
      /shorter than error \(4\) plus the request header/,
    );
  });

  it("decodes the kernel's capped ACK", () => {
    const [m] = decodeMessages(fromHex("240000000200000102000000c31900000000000020000000000a05040200000000000000"));
    const e = decodeErrorMessage(m!);
    expect(e).toMatchObject({ errno: 0, capped: true, request: { length: 32, type: 0x0a00, seq: 2 } });
  });
});
