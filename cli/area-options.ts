// --area and --profile: read against the areas the properties define (which
// loads every property, so options.ts, which every command parses with, does not).
import { isAreaName, AREA_NAMES, type AreaName } from "../iut/protocol.js";
import { AREAS, findArea } from "../properties/areas.js";
import { UsageError } from "./usage-error.js";

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
    const area = findArea(name);
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
    const definition = findArea(area);
    if (definition && !definition.profiles.some((p) => p.name === profile)) {
      throw new UsageError(
        `--profile: ${area} has no profile "${profile}" (profiles: ${definition.profiles.map((p) => p.name).join(", ")})`,
      );
    }
    profiles[area] = profile;
  }
  return profiles;
}
