// Shared option readers for the subcommands. Every bad value is a UsageError
// naming the option and the value. The readers that need the properties'
// areas are in area-options.ts: a kernel adapter parses its options here
// without loading every property.
import { parseArgs, type ParseArgsConfig } from "node:util";

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig["options"]>;
import { parseDuration } from "../harness/durations.js";
import { UsageError } from "./usage-error.js";

export function parseOptions<const T extends ParseArgsOptionsConfig>(argv: string[], options: T, positionals: number) {
  const parse = () => parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.positionals.length > positionals)
    throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[positionals])}`);
  return parsed;
}

export function integerOption(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** The longest delay Node's timers take (2^31-1 ms, about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A duration option (timeout, budget): more than 0 and at most MAX_TIMER_MS, since each ends up in a timer. */
export function durationOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}`);
  }
  if (ms <= 0) throw new UsageError(`--${name} must be more than 0, got ${JSON.stringify(text)}`);
  if (ms > MAX_TIMER_MS)
    throw new UsageError(`--${name} must be at most ${MAX_TIMER_MS} ms (about 24 days), got ${JSON.stringify(text)}`);
  return ms;
}
