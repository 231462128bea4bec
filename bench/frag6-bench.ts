// frag6 model throughput: fragments per second through each profile's
// reassembler, on generated streams (every pattern class). A delivered
// datagram's hex is written only when something reads it (the judge, a reply):
// these rates do not include it (bench/cpu.md, "The frag6 model").
import fc from "fast-check";
import { FRAG6_PROFILES } from "../model/frag6/profiles.js";
import { frag6Expectation } from "../model/frag6/run.js";
import { frag6Stream } from "../properties/frag6/generators.js";
import { fromHex } from "../wire/hex.js";
import { measure } from "./measure.js";

export function frag6Bench(ms: number): string[] {
  const streams = fc
    .sample(frag6Stream(), { seed: 1, numRuns: 200 })
    .map((s) => ({ config: s.config, events: s.events.map((e) => ({ t: e.t, packet: fromHex(e.packet) })) }));
  const fragments = streams.reduce((n, s) => n + s.events.length, 0);
  return FRAG6_PROFILES.map((profile) => {
    const rate = measure(() => {
      for (const s of streams) frag6Expectation(s.events, profile, s.config);
    }, ms);
    const k = (perSecond: number) => `${((perSecond * fragments) / 1000).toFixed(1)}k`;
    return `frag6 model ${profile.padEnd(11)} ${k(rate.perSecond)} fragments/s, ${k(rate.perCpuSecond)} per CPU-second (${streams.length} streams, ${fragments} fragments per pass)`;
  });
}
