// `npm run bench`: every benchmark, each printing its rate beside the floor or
// reference it is judged against, measured in the same run.
import { checksumBench } from "./checksum-bench.js";
import { benchInNamespace } from "./in-namespace.js";
import { defaultRunBench, jobsScalingBench } from "./default-run-bench.js";
import { bpfBench } from "./bpf-bench.js";
import { hooksModelBench, linuxHooksBench } from "./hooks-bench.js";
import { frag6Bench } from "./frag6-bench.js";
import { cttimeoutKernelBench, cttimeoutModelBench } from "./cttimeout-bench.js";
import { kernelVersionsBench } from "./kernel-versions-bench.js";

const ms = Number(process.env.NFCONFORM_BENCH_MS ?? 1500);
for (const line of checksumBench(ms)) console.log(line);
for (const line of benchInNamespace("kernel checksum", "linux-checksum-inner.js")) console.log(line);
for (const line of bpfBench(ms)) console.log(line);
for (const line of benchInNamespace("kernel bpf", "linux-bpf-inner.js")) console.log(line);
for (const line of frag6Bench(ms)) console.log(line);
for (const line of benchInNamespace("kernel frag6", "linux-frag6-inner.js")) console.log(line);
for (const line of hooksModelBench(ms)) console.log(line);
for (const line of linuxHooksBench()) console.log(line);
for (const line of cttimeoutModelBench(ms)) console.log(line);
for (const line of cttimeoutKernelBench()) console.log(line);
for (const line of defaultRunBench()) console.log(line);
for (const line of jobsScalingBench()) console.log(line);
for (const line of kernelVersionsBench()) console.log(line);
