// Shared option readers for the subcommands. Every bad value is a UsageError
// naming the option and the value.
import { parseArgs, type ParseArgsConfig } from "node:util";

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig["options"]>;
import { isAreaName, AREA_NAMES, type AreaName } from "../iut/protocol.js";
import { parseDuration } from "../harness/durations.js";
import { AREAS } from "../properties/areas.js";
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

/** --area a,b (repeatable); defaults to every area that has properties. */
export function areaOption(values: string[] | undefined) {
  if (!values || values.length === 0) return [...AREAS];
  const names = values
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
  if (names.length === 0) throw new UsageError(`--area names no area (areas: ${AREAS.map((a) => a.name).join(", ")})`);
  return names.map((name) => {
    if (!isAreaName(name)) throw new UsageError(`--area: unknown area "${name}" (areas: ${AREA_NAMES.join(", ")})`);
    const area = AREAS.find((a) => a.name === name);
    if (!area)
      throw new UsageError(
        `--area: area "${name}" has no properties in this version yet (available: ${AREAS.map((a) => a.name).join(", ")})`,
      );
    return area;
  });
}

/** --profile area=name (repeatable). */
export function profileOption(values: string[] | undefined): Partial<Record<AreaName, string>> {
  const profiles: Partial<Record<AreaName, string>> = {};
  for (const value of values ?? []) {
    const match = /^([a-z0-9]+)=([A-Za-z0-9._-]+)$/.exec(value);
    if (!match) throw new UsageError(`--profile must look like area=name, got ${JSON.stringify(value)}`);
    const [, area, profile] = match as unknown as [string, string, string];
    if (!isAreaName(area)) throw new UsageError(`--profile: unknown area "${area}"`);
    const definition = AREAS.find((a) => a.name === area);
    if (definition && !definition.profiles.some((p) => p.name === profile)) {
      throw new UsageError(
        `--profile: ${area} has no profile "${profile}" (profiles: ${definition.profiles.map((p) => p.name).join(", ")})`,
      );
    }
    profiles[area] = profile;
  }
  return profiles;
}
