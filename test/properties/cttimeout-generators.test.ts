// The cttimeout generators reach every outcome the model distinguishes:
// counted with fc.statistics (printed) and asserted on the same classification.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ModelIut } from "../../iut/model/model-iut.js";
import { iutRun } from "../../properties/cttimeout/iut-calls.js";
import {
  malformedAfterSetup,
  messageSpec,
  sequenceInput,
  usersScenario,
} from "../../properties/cttimeout/generators.js";
import type { StepReply } from "../../properties/cttimeout/commands.js";
import { fromHex } from "../../wire/hex.js";
import { decodeErrorMessage, decodeMessages, NLMSG_DONE, NLMSG_ERROR } from "../../wire/netlink/message.js";

/** One label per reply: the errno of an error, "ack", "data", "done", or "silent". */
function labels(steps: StepReply[]): string[] {
  return steps.flatMap((s) => {
    if ("skipped" in s) return ["detach-skipped"];
    if (!("replies" in s)) return [`user errno ${s.errno}`];
    return s.replies.map((r) => {
      const ms = r.flatMap((h) => decodeMessages(fromHex(h)));
      if (ms.length === 0) return "silent";
      if (ms.some((m) => m.type === NLMSG_DONE)) return "dump";
      const err = ms.find((m) => m.type === NLMSG_ERROR);
      if (err)
        return decodeErrorMessage(err).errno === 0
          ? ms.length > 1
            ? "data+ack"
            : "ack"
          : `errno ${decodeErrorMessage(err).errno}`;
      return "data";
    });
  });
}

async function sampleLabels(
  arb: fc.Arbitrary<{ commands: Parameters<typeof iutRun>[1] }>,
  n: number,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const input of fc.sample(arb, { seed: 11, numRuns: n })) {
    const iut = new ModelIut();
    await iut.call("reset", {});
    for (const l of labels(await iutRun(iut, input.commands))) counts.set(l, (counts.get(l) ?? 0) + 1);
  }
  return counts;
}

describe("cttimeout generators", () => {
  it("reach every errno, acks, data, dumps and silent drops", async () => {
    const counts = await sampleLabels(sequenceInput(), 400);
    for (const want of [
      "ack",
      "data",
      "data+ack",
      "dump",
      "silent",
      "errno 2",
      "errno 16",
      "errno 17",
      "errno 22",
      "errno 34",
      "errno 95",
      "user errno 0",
      "user errno 2",
      "user errno 22",
    ]) {
      expect(counts.get(want) ?? 0, `${want} in ${JSON.stringify([...counts])}`).toBeGreaterThan(0);
    }
  });

  it("give users that hold policies and deletes that meet them", async () => {
    const counts = await sampleLabels(usersScenario(), 200);
    expect(counts.get("user errno 0") ?? 0).toBeGreaterThan(50);
    expect(counts.get("errno 16") ?? 0).toBeGreaterThan(10);
  });

  it("spread message types, frames and name lengths (fc.statistics)", () => {
    const lines: string[] = [];
    fc.statistics(messageSpec(), (s) => `type ${s.msg <= 4 ? s.msg : "unknown"}, frame ${s.frame}`, {
      numRuns: 2000,
      seed: 2,
      logger: (l) => lines.push(l),
    });
    const text = lines.join("\n");
    for (const want of [
      "type 0",
      "type 1",
      "type 2",
      "type 3",
      "type 4",
      "type unknown",
      "frame cut",
      "frame len-beyond",
      "frame len-below-header",
      "frame trailing",
    ])
      expect(text).toContain(want);
    const names = new Set<number>();
    for (const s of fc.sample(messageSpec(), { seed: 4, numRuns: 2000 })) {
      for (const a of s.attributes) if (a.kind === "name") names.add(a.name.length);
    }
    expect([...names].sort((a, b) => a - b)).toEqual(expect.arrayContaining([0, 1, 31, 32, 33]));
  });

  it("pair a setup with messages the kernel refuses", () => {
    const refused = fc.sample(malformedAfterSetup(), { seed: 9, numRuns: 100 }).length;
    expect(refused).toBe(100);
  });
});
