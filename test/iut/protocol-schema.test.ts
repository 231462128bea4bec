import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AREA_OPS, protocolSchema } from "../../iut/ops/index.js";
import { frag6Run } from "../../iut/ops/frag6.js";
import { hooksRegister } from "../../iut/ops/hooks.js";
import { AdapterReplyError, IutError } from "../../iut/iut.js";

describe("the adapter protocol's declarations (iut/ops)", () => {
  it("produce the checked-in schema: regenerate with `nfconform schema > docs/adapter-protocol.schema.json`", () => {
    const checkedIn = JSON.parse(readFileSync("docs/adapter-protocol.schema.json", "utf8"));
    expect(checkedIn).toEqual(protocolSchema());
  });

  it("cover every op the doc names", () => {
    const doc = readFileSync("docs/adapter-protocol.md", "utf8");
    const named = [...doc.matchAll(/^- `([a-z0-9.]+)` `\{/gm)].map((m) => m[1]);
    expect(new Set([...AREA_OPS.map((c) => c.op), "hello", "reset"])).toEqual(new Set(named));
  });

  it("refuse a request off its shape as invalid, naming the op and the field", () => {
    const params = { name: "a", family: "ipv4", hook: "input", priority: 2 ** 31, verdict: "accept", device: null };
    expect(() => hooksRegister.readRequest(params)).toThrow(AdapterReplyError);
    expect(() => hooksRegister.readRequest(params)).toThrow(/hooks\.register.*"priority" must be an int32 integer/);
    expect(() => hooksRegister.readRequest({ ...params, priority: 0, device: undefined })).toThrow(/"device"/);
  });

  it("read a reply off its shape as an IUT error carrying the reply", () => {
    const reply = { delivered: [{ t: 0, packet: "6" }] };
    const error = (() => {
      try {
        frag6Run.readReply(reply);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(IutError);
    expect((error as IutError).message).toMatch(
      /reply to frag6\.run: "delivered\[0\]\.packet" must be a lowercase hex/,
    );
    expect((error as IutError).evidence).toBe(JSON.stringify(reply));
  });

  it("keep rules a schema cannot state: events in time order", () => {
    const packet = "00";
    expect(() =>
      frag6Run.readRequest({
        events: [
          { t: 5, packet },
          { t: 1, packet },
        ],
      }),
    ).toThrow(/events\[1\]\.t/);
  });
});
