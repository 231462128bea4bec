// Per-property seeds derived from the run seed, so a property's cases do not
// depend on which other properties or areas run (sharding, --area filters).

/** FNV-1a over the property id, mixed with the run seed; a 31-bit non-negative result. */
export function propertySeed(runSeed: number, propertyId: string): number {
  let hash = 0x811c9dc5 ^ (runSeed >>> 0);
  for (let i = 0; i < propertyId.length; i++) {
    hash ^= propertyId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) & 0x7fffffff;
}

export function randomRunSeed(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}
