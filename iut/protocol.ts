// The adapter protocol's common vocabulary now lives in iut/ops/common.ts; this
// module keeps the old import path working for code outside iut/.
export * from "./ops/common.js";
