/**
 * Seeded randomness that is a pure function of (seed, key): the simulated value of any hour or
 * day can be computed on its own, in any order, and is the same every time.
 */
import { seededRandom } from '../anomaly/stats';

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Standard normal (Box-Muller). */
  normal(): number;
}

function hashString(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** mulberry32: small, fast, well-distributed for simulation (not for cryptography); core/anomaly/stats.ts's seededRandom. */
export const mulberry32 = seededRandom;

export function randomFor(seed: number, key: string): Random {
  const next = mulberry32(hashString(key, seed));
  return {
    next,
    between: (min, max) => min + (max - min) * next(),
    chance: (p) => next() < p,
    normal: () => {
      const u = Math.max(next(), Number.EPSILON);
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
  };
}
