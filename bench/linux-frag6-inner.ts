// Runs inside a private network namespace (bench/index.ts puts it there): the
// frag6 area on the kernel, both paths, driven in-process. Each stream costs
// a namespace of its own (iut/linux/frag6/case-network.ts), so the floor is
// that namespace alone: create, set up, leave, with no fragment sent.
import fc from "fast-check";
import { frag6Area } from "../iut/linux/frag6/area.js";
import { enterCaseNamespace, type Frag6Path } from "../iut/linux/frag6/case-network.js";
import { FRAG6_PATH_ENV } from "../iut/linux/frag6/path.js";
import { frag6Stream } from "../properties/frag6/generators.js";
import { FRAG6_CLASSES } from "../properties/frag6/stream.js";
import { NetworkNamespace } from "../sys/netns.js";
import { fromHex } from "../wire/hex.js";

const STREAMS = Number(process.env.NFCONFORM_BENCH_FRAG6_STREAMS ?? 60);
NetworkNamespace.create();
// Streams about time wait out a real 1 s timeout: measured apart from the rest.
const untimed = FRAG6_CLASSES.filter((c) => c !== "timeout-spread");
const streams = fc.sample(frag6Stream({ classes: untimed }), { seed: 1, numRuns: STREAMS });
const timed = fc.sample(frag6Stream({ classes: ["timeout-spread"] }), { seed: 1, numRuns: 5 });
const fragments = streams.reduce((n, s) => n + s.events.length, 0);

async function rate(path: Frag6Path, list: typeof streams): Promise<{ perSecond: number; declined: number }> {
  process.env[FRAG6_PATH_ENV] = path;
  const area = frag6Area();
  let declined = 0;
  const start = performance.now();
  for (const s of list) {
    try {
      await area.handlers["frag6.run"]!({ events: s.events, config: s.config });
    } catch {
      declined++;
    }
  }
  return { perSecond: list.length / ((performance.now() - start) / 1000), declined };
}

function floor(path: Frag6Path): number {
  const local = fromHex("20010d5d000000000000000000000001");
  const start = performance.now();
  for (let i = 0; i < STREAMS; i++) enterCaseNamespace(path, [local]).leave();
  return STREAMS / ((performance.now() - start) / 1000);
}

for (const path of ["plain", "conntrack"] as const) {
  const f = floor(path);
  const r = await rate(path, streams);
  const t = await rate(path, timed);
  console.log(
    `kernel frag6 ${path.padEnd(9)} ${r.perSecond.toFixed(1)} streams/s (${((r.perSecond * fragments) / STREAMS).toFixed(0)} fragments/s, ${STREAMS} untimed streams, ${r.declined} declined) beside a bare case namespace floor of ${f.toFixed(1)}/s = ${(r.perSecond / f).toFixed(2)} of the floor; timed streams ${t.perSecond.toFixed(2)}/s`,
  );
}
