// Every cttimeout boundary the model has a rule for comes up in every default
// run (100 cases per property) on each of 20 run seeds: names of 31 and 32
// characters (CTNL_TIMEOUT_NAME_MAX), the last timeout before seconds * HZ
// wraps 32 bits and the first after, at the default profile's HZ (250), a
// NEW with NLM_F_EXCL of a name created earlier in the case, and the
// attribute edges of the policy (a name with no NUL in its first 32 bytes or
// with bytes after it, L3PROTO, DATA and a timeout shorter than their type).
import { describe, it } from "vitest";
import { attributesOf, be32At } from "../../model/cttimeout/attribute-policy.js";
import { PROFILE_HZ } from "../../model/cttimeout/rules.js";
import { CTTIMEOUT_AREA } from "../../properties/cttimeout/area.js";
import type { SequenceInput } from "../../properties/cttimeout/commands.js";
import { fromHex } from "../../wire/hex.js";
import { CTA_TIMEOUT_DATA, CTA_TIMEOUT_L3PROTO, CTA_TIMEOUT_NAME } from "../../wire/netlink/cttimeout.js";
import { NLM_F_EXCL } from "../../wire/netlink/message.js";
import { expectEveryClassEverySeed, seedsReaching } from "./boundary-coverage.js";

const HZ = PROFILE_HZ.linux;
const LAST = Math.floor(0xffffffff / HZ);

function classesOf(input: SequenceInput | { setup: SequenceInput; message: string }): string[] {
  const commands = "commands" in input ? input.commands : input.setup.commands;
  const messages = [
    ...commands.flatMap((c) => (c.op === "netlink" ? c.messages : [])),
    ...("message" in input ? [input.message] : []),
  ];
  const found: string[] = [];
  const created = new Set<string>();
  for (const hex of messages) {
    const m = fromHex(hex);
    if (m.length < 20) continue;
    const view = new DataView(m.buffer, m.byteOffset, m.byteLength);
    const type = view.getUint16(4, true);
    const flags = view.getUint16(6, true);
    let name: string | undefined;
    for (const a of attributesOf(m.subarray(20, Math.min(view.getUint32(0, true), m.length)))) {
      if (a.type === CTA_TIMEOUT_NAME) {
        const end = a.value.indexOf(0);
        name = String.fromCharCode(...a.value.subarray(0, end < 0 ? a.value.length : end));
        if (name.length === 31 || name.length === 32) found.push(`name of ${name.length}`);
        if (end < 0 || end > 31) found.push("name without a NUL in its first 32 bytes");
        else if (end < a.value.length - 1) found.push("name with bytes after its NUL");
      }
      if (a.type === CTA_TIMEOUT_L3PROTO && a.value.length < 2) found.push("L3PROTO shorter than a u16");
      if (a.type === CTA_TIMEOUT_DATA && a.value.length > 0 && a.value.length < 4)
        found.push("DATA shorter than a header");
      if (a.type === CTA_TIMEOUT_DATA)
        for (const d of attributesOf(a.value)) {
          if (d.value.length < 4) found.push("timeout shorter than a u32");
          if (d.value.length < 4) continue;
          const seconds = be32At(d.value);
          if (seconds === LAST) found.push("last timeout before the wrap");
          if (seconds === LAST + 1) found.push("first timeout that wraps");
        }
    }
    if (type === ((8 << 8) | 0) && name !== undefined) {
      if (flags & NLM_F_EXCL && created.has(name)) found.push("NEW EXCL of an existing name");
      created.add(name);
    }
  }
  return found;
}

describe("cttimeout boundaries in every default run", () => {
  it("reaches names of 31 and 32 characters, each side of the jiffies wrap, NEW EXCL of an existing name and short attributes", () => {
    const reached = seedsReaching(
      CTTIMEOUT_AREA.properties.map((property) => ({ property, classify: classesOf })),
      { profile: "linux" },
    );
    expectEveryClassEverySeed(reached, [
      "name of 31",
      "name of 32",
      "last timeout before the wrap",
      "first timeout that wraps",
      "NEW EXCL of an existing name",
      "name without a NUL in its first 32 bytes",
      "name with bytes after its NUL",
      "L3PROTO shorter than a u16",
      "DATA shorter than a header",
      "timeout shorter than a u32",
    ]);
  });
});
