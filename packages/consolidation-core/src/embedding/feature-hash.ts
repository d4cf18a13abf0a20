/** Adds `weight` to the coordinate a feature hash picks, with the sign its top bit picks (signed feature hashing). */
export function addFeature(v: Float32Array, hash: number, weight: number): void {
  const index = (hash >>> 0) % v.length;
  v[index] = (v[index] as number) + (hash & 0x80000000 ? -weight : weight);
}

/** 32-bit FNV-1a of a string, seeded, with a final avalanche. */
export function hashString(s: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix(h);
}

/** Avalanche of a 32-bit hash (every input bit reaches every output bit). */
export function mix(h: number): number {
  let x = h | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x;
}
