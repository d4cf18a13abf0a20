import { describe, expect, it } from "vitest";
import { hammingLimits } from "../src/detect/lsh-scan.js";
import { seededRandom } from "../src/detect/random.js";

describe("the Hamming limits of the LSH scan", () => {
  const limits = hammingLimits(256);

  it("never lets a row's bound fall under the limit of any pair it is part of", () => {
    const random = seededRandom(7);
    for (const slack of [0.02, 0.1, 0.2, 0.4]) {
      for (let k = 0; k < 20_000; k++) {
        const ri = random() * 1.5;
        // Partners both at random and right where the centred cosine is smallest (rⱼ² = rᵢ² − slack).
        const rj = k % 2 === 0 ? random() * 1.5 : Math.sqrt(Math.max(0, ri * ri - slack));
        if (2 * ri * rj <= 1e-12) continue;
        expect(limits.at(ri, rj, slack)).toBeLessThanOrEqual(limits.atMost(ri, slack));
      }
    }
  });

  it("bounds tightly: a row far from its mean allows far fewer differing bits than the signature has", () => {
    expect(limits.atMost(0.9, 0.2)).toBeLessThan(80);
    expect(limits.atMost(0.9, 0.2)).toBe(limits.at(0.9, Math.sqrt(0.81 - 0.2), 0.2));
    expect(limits.atMost(0.3, 0.2)).toBe(256);
  });
});
