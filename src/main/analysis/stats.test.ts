import { describe, expect, it } from 'vitest'
import {
  blockMeanCorrelation,
  binLevels,
  correlation,
  fCdf,
  fQuantile,
  lag1Autocorrelation,
  lagAutocorrelation,
  MAX_AUTOCORRELATION,
  midMean,
  ols,
  pointNoise,
  slopeInterval,
  tCdf,
  theilSen,
  spikeIndices,
  withoutOutliers,
  tQuantile
} from './stats'
import { seededRandom } from './stats'
import { gaussian } from './synthetic'

describe('analysis/stats', () => {
  describe('lagAutocorrelation', () => {
    /** AR(1) noise: each value keeps `rho` of the one before. */
    const ar1 = (n: number, rho: number, seed: number): number[] => {
      const normal = gaussian(seededRandom(seed))
      const out: number[] = []
      let x = 0
      for (let i = 0; i < n; i++) {
        x = rho * x + Math.sqrt(1 - rho * rho) * normal()
        out.push(x)
      }
      return out
    }

    it('reads slowly wandering noise a bin apart where its neighbours say it all alike', () => {
      // 10 Hz samples keeping 99 % of the one before: 40 samples apart, 0.99^40 ≈ 0.67.
      const wander = ar1(1600, 0.99, 7)
      expect(lagAutocorrelation(wander, 40)).toBeGreaterThan(0.4)
      expect(lagAutocorrelation(wander, 40)).toBeLessThanOrEqual(0.8)
    })

    it('is 0 for independent noise, for too few points, and equals lag1Autocorrelation at lag 1', () => {
      const normal = gaussian(seededRandom(3))
      const independent = Array.from({ length: 1600 }, () => normal())
      expect(lagAutocorrelation(independent, 40)).toBe(0)
      expect(lagAutocorrelation(ar1(300, 0.99, 7), 40)).toBe(0)
      const some = ar1(200, 0.5, 11)
      expect(lagAutocorrelation(some, 1)).toBe(lag1Autocorrelation(some))
      expect(lag1Autocorrelation(some)).toBeGreaterThan(0.3)
    })
  })

  describe('blockMeanCorrelation', () => {
    it('is the correlation of neighbouring block means of AR(1) noise, as measured on a long series', () => {
      // Blocks of 7 samples keeping 90 % of the one before (1 s samples, 40 bins of 4.5 min):
      // their means share 0.63, where the samples 7 apart share only 0.9^7 = 0.48.
      const normal = gaussian(seededRandom(5))
      const [rho, length, blocks] = [0.9, 7, 40_000]
      const means: number[] = []
      let x = 0
      for (let b = 0; b < blocks; b++) {
        let sum = 0
        for (let i = 0; i < length; i++) {
          x = rho * x + Math.sqrt(1 - rho * rho) * normal()
          sum += x
        }
        means.push(sum / length)
      }
      const m = means.reduce((a, v) => a + v, 0) / blocks
      let [num, den] = [0, 0]
      for (let i = 0; i < blocks; i++) {
        den += (means[i]! - m) ** 2
        if (i + 1 < blocks) num += (means[i]! - m) * (means[i + 1]! - m)
      }
      expect(blockMeanCorrelation(rho, length)).toBeCloseTo(num / den, 2)
      expect(blockMeanCorrelation(rho, length)).toBeGreaterThan(rho ** length + 0.1)
    })

    it("is the samples' own correlation for blocks of one, 0 without correlation, and capped", () => {
      expect(blockMeanCorrelation(0.5, 1)).toBeCloseTo(0.5, 12)
      expect(blockMeanCorrelation(0, 7)).toBe(0)
      expect(blockMeanCorrelation(0.999, 7)).toBe(MAX_AUTOCORRELATION)
    })
  })

  describe('tQuantile', () => {
    it('matches Student-t tables', () => {
      expect(tQuantile(0.975, 10)).toBeCloseTo(2.228, 3)
      expect(tQuantile(0.999, 5)).toBeCloseTo(5.893, 3)
      expect(tQuantile(0.975, 1)).toBeCloseTo(12.706, 2)
      expect(tQuantile(0.025, 30)).toBeCloseTo(-2.042, 3)
      expect(tCdf(0, 7)).toBeCloseTo(0.5, 10)
    })
  })

  describe('fQuantile', () => {
    it('matches F tables', () => {
      expect(fQuantile(0.95, 2, 10)).toBeCloseTo(4.103, 2)
      expect(fQuantile(0.999, 2, 20)).toBeCloseTo(9.953, 1)
      expect(fCdf(0, 2, 10)).toBe(0)
    })
  })

  describe('theilSen', () => {
    it('ignores a wild point that would drag least squares', () => {
      const xs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
      const ys = xs.map((x) => 10 + 2 * x)
      ys[9] = 1000
      expect(theilSen(xs, ys).slope).toBeCloseTo(2, 6)
      expect(ols(xs, ys).slope).toBeGreaterThan(20)
    })

    it('gives an interval that holds the true slope on noisy data', () => {
      const xs = Array.from({ length: 40 }, (_, i) => i)
      const ys = xs.map((x, i) => 5 * x + (i % 2 === 0 ? 3 : -3))
      const [lo, hi] = slopeInterval(theilSen(xs, ys))
      expect(lo).toBeLessThan(5)
      expect(hi).toBeGreaterThan(5)
    })

    it('never reports a tighter interval than the noise floor allows', () => {
      const xs = [0, 1, 2, 3, 4, 5]
      const ys = xs.map((x) => 3 * x)
      expect(theilSen(xs, ys).slopeSe).toBe(0)
      expect(theilSen(xs, ys, 1, 100).slopeSe).toBeGreaterThan(0)
    })
  })

  describe('ols', () => {
    it('reports R² of 1 for an exact line and 0 when y does not vary', () => {
      expect(ols([1, 2, 3, 4], [2, 4, 6, 8]).r2).toBeCloseTo(1, 10)
      expect(ols([1, 2, 3, 4], [5, 5, 5, 5]).r2).toBe(0)
    })
  })

  describe('correlation', () => {
    it('is 1 for proportional series and 0 for a constant one', () => {
      expect(correlation([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 10)
      expect(correlation([1, 2, 3], [7, 7, 7])).toBe(0)
    })
  })

  describe('midMean', () => {
    it('drops the outer quarters', () => {
      expect(midMean([1, 2, 3, 4, 100, -100, 2, 3])).toBe(2.5)
    })
  })

  describe('pointNoise', () => {
    it('sees sample noise through a trend', () => {
      const normal = gaussian(seededRandom(3))
      const values = Array.from({ length: 2000 }, (_, i) => 1000 * i + 10 * normal())
      expect(pointNoise(values)).toBeGreaterThan(8)
      expect(pointNoise(values)).toBeLessThan(12)
    })
  })

  describe('binLevels', () => {
    it('keeps one point per time bin and passes short series through', () => {
      const pts = Array.from({ length: 100 }, (_, i) => ({ t: i * 1000, v: i }))
      expect(binLevels(pts, 10)).toHaveLength(10)
      expect(binLevels(pts.slice(0, 5), 10)).toHaveLength(5)
    })
  })

  describe('withoutOutliers', () => {
    it('leaves out a spike but not the spread of residuals a line passes close to', () => {
      // Half the residuals near zero (a Theil–Sen line through them), half at ±2–4: spread.
      const spread = [2, -0.4, -0.2, 3, 0.1, 4.3, -0.1, -0.3]
      expect(withoutOutliers(spread)).toHaveLength(8)
      const spike = [1, -1.2, 0.8, -0.5, 30, 0.3, -0.9, 1.1, -0.7, 0.4]
      expect(withoutOutliers(spike)).not.toContain(30)
      expect(withoutOutliers(spike)).toHaveLength(9)
    })
  })

  describe('spikeIndices', () => {
    it('finds two spikes together where one at a time the second hides the first', () => {
      const twoSpikes = [1, -1.2, 0.8, -0.5, 30, 29, -0.9, 1.1, -0.7, 0.4]
      expect(withoutOutliers(twoSpikes)).toHaveLength(10)
      expect(spikeIndices(twoSpikes)).toEqual([4, 5])
    })

    it('finds none in spread, nor on fewer points than an outlier test needs', () => {
      expect(spikeIndices([2, -0.4, -0.2, 3, 0.1, 4.3, -0.1, -0.3])).toEqual([])
      expect(spikeIndices([1, -1, 0.5, 30, -0.5, 0.2, -0.8])).toEqual([])
    })
  })

  describe('seededRandom', () => {
    it('gives the same sequence for the same seed and values in [0, 1)', () => {
      const a = seededRandom(42)
      const b = seededRandom(42)
      const xs = Array.from({ length: 1000 }, () => a())
      expect(Array.from({ length: 1000 }, () => b())).toEqual(xs)
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(0)
      expect(Math.max(...xs)).toBeLessThan(1)
      expect(Math.abs(xs.reduce((s, x) => s + x, 0) / 1000 - 0.5)).toBeLessThan(0.05)
    })
  })
})
