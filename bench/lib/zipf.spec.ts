import { seededRandom } from '../../test/support/random';
import { ZipfSampler } from './zipf';

function histogram(sampler: ZipfSampler, draws: number): number[] {
  const counts = new Array<number>(sampler.n + 1).fill(0);
  for (let i = 0; i < draws; i++) counts[sampler.sample()]++;
  return counts;
}

describe('ZipfSampler', () => {
  it('draws every rank in 1..n with probability proportional to r^-s', () => {
    for (const s of [0, 0.8, 1, 1.3]) {
      const n = 20;
      const draws = 400_000;
      const counts = histogram(new ZipfSampler(n, s, seededRandom(7)), draws);
      expect(counts[0]).toBe(0);
      const norm = Array.from({ length: n }, (_, i) => (i + 1) ** -s).reduce((a, b) => a + b, 0);
      for (let r = 1; r <= n; r++) {
        const expected = (draws * r ** -s) / norm;
        // 5 standard deviations of a binomial count: a wrong exponent or an off-by-one rank fails this.
        expect(Math.abs(counts[r] - expected)).toBeLessThan(5 * Math.sqrt(expected) + 1);
      }
    }
  });

  it('stays within 1..n for huge catalogues and is repeatable for a seed', () => {
    const a = new ZipfSampler(5_000_000_000, 1.1, seededRandom(42));
    const b = new ZipfSampler(5_000_000_000, 1.1, seededRandom(42));
    for (let i = 0; i < 50_000; i++) {
      const r = a.sample();
      expect(r).toBe(b.sample());
      expect(Number.isInteger(r) && r >= 1 && r <= 5_000_000_000).toBe(true);
    }
  });

  it('rejects a catalogue without videos and a negative skew', () => {
    expect(() => new ZipfSampler(0, 1)).toThrow('n must be');
    expect(() => new ZipfSampler(10, -1)).toThrow('s must be');
  });
});
