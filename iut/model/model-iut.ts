// The reference model behind the IUT interface: `--iut model`, the suite's own
// sanity check, and the base that mutants override.
import type { ChecksumProfile } from "../../model/checksum/checksum-target.js";
import { AdapterReplyError, type Iut } from "../iut.js";
import type { AreaName, Hello, Params, Result } from "../ops/common.js";
import type { HooksProfile } from "../../model/hooks/profiles.js";
import { checksumHandlers } from "./checksum-handlers.js";
import { hooksHandlers } from "./hooks-handlers.js";
import { bpfHandlers } from "./bpf-handlers.js";
import { cttimeoutHandlers } from "./cttimeout-handlers.js";
import { frag6Handlers } from "./frag6-handlers.js";
import type { Frag6Profile } from "../../model/frag6/profiles.js";
import { freshModelState, type OpHandler } from "./model-state.js";
import { optionalOpsOf } from "../ops/index.js";
import { TOOL_VERSION } from "../../sys/tool-version.js";
import type { RuleTrace } from "../../model/rules.js";

/** Areas the model implements so far, with each one's default profile. */
export const MODEL_AREAS: Partial<Record<AreaName, string>> = {
  checksum: "linux",
  hooks: "linux",
  bpf: "linux",
  cttimeout: "linux",
  frag6: "rfc8200",
};

export interface ModelIutOptions {
  /** Profile per area; absent means the area's default. */
  profiles?: Partial<Record<AreaName, string>>;
  /** Replaces individual ops: how mutants break the model. */
  overrides?: Record<string, OpHandler>;
  name?: string;
  spec?: string;
  /** Where the rules the model applies go (the cttimeout properties' own model reads them). */
  trace?: RuleTrace;
}

export class ModelIut implements Iut {
  readonly spec: string;
  private readonly handlers: Record<string, OpHandler>;
  private readonly profiles: Partial<Record<AreaName, string>>;
  private state = freshModelState();

  constructor(private readonly options: ModelIutOptions = {}) {
    this.spec = options.spec ?? "model";
    this.profiles = { ...MODEL_AREAS, ...options.profiles };
    this.handlers = {
      ...checksumHandlers(this.profiles.checksum as ChecksumProfile),
      ...hooksHandlers(this.profiles.hooks as HooksProfile),
      ...bpfHandlers(this.profiles.bpf),
      ...cttimeoutHandlers(this.profiles.cttimeout, options.trace),
      ...frag6Handlers(this.profiles.frag6 as Frag6Profile),
      ...options.overrides,
    };
  }

  async hello(): Promise<Hello> {
    return {
      name: this.options.name ?? "nfconform-model",
      version: TOOL_VERSION,
      areas: Object.keys(MODEL_AREAS) as AreaName[],
      profiles: this.profiles,
      ops: optionalOpsOf(Object.keys(this.handlers)),
    };
  }

  async call(op: string, params: Params): Promise<Result> {
    return this.callSync(op, params);
  }

  /** Synchronous form, used by the adapter server and the benchmarks. */
  callSync(op: string, params: Params): Result {
    if (op === "hello") throw new AdapterReplyError("invalid", op, "use hello()");
    if (op === "reset") {
      this.state = freshModelState();
      return {};
    }
    const handler = this.handlers[op];
    if (!handler) throw new AdapterReplyError("unsupported", op, `the model does not implement ${op}`);
    return handler(params, this.state, (step, stepParams) => this.callSync(step, stepParams));
  }

  async close(): Promise<void> {}
}
