import { describe, expect, it } from 'vitest'
import {
  bootstrapChangeCi,
  bootstrapQuantileCi,
  mannWhitney,
  mannWhitneyGrouped,
  median,
  normalCdf,
  normalQuantile,
  quantile,
  quantileRankInterval,
  summarizeSamples,
  thin,
  tukeyFences
} from './stats'
import { seededRandom } from '../analysis/stats'
import { normal } from './testing/factories'

/** Log-normal latency-like samples (skewed, heavy right tail) around `medianMs`. */
function latencies(seed: number, n: number, medianMs: number, spread = 0.3): number[] {
  const rng = seededRandom(seed)
  return Array.from({ length: n }, () => medianMs * Math.exp(normal(rng, 0, spread)))
}

describe('compare/stats', () => {
  describe('quantile', () => {
    it('interpolates like R type 7 / numpy', () => {
      expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.25)).toBeCloseTo(3.25, 10)
      expect(quantile([3, 1, 4, 1, 5, 9, 2, 6], 0.9)).toBeCloseTo(6.9, 10)
      expect(median([5, 1, 3])).toBe(3)
      expect(median([])).toBeNaN()
    })
  })

  describe('bootstrapQuantileCi', () => {
    it('is reproducible and contains the sample median', () => {
      const xs = latencies(1, 100, 2)
      const ci = bootstrapQuantileCi(xs)
      expect(bootstrapQuantileCi(xs)).toEqual(ci)
      expect(ci[0]).toBeLessThanOrEqual(median(xs))
      expect(ci[1]).toBeGreaterThanOrEqual(median(xs))
    })

    it('narrows as samples grow', () => {
      const width = (n: number): number => {
        const [lo, hi] = bootstrapQuantileCi(latencies(2, n, 2))
        return hi - lo
      }
      expect(width(1000)).toBeLessThan(width(50) / 2)
    })

    it('covers the true median in about 95% of repeated experiments', () => {
      // True median of the log-normal is exactly medianMs = 2.
      let covered = 0
      const trials = 200
      for (let t = 0; t < trials; t++) {
        const [lo, hi] = bootstrapQuantileCi(latencies(1000 + t, 60, 2), 0.5, { resamples: 500 })
        if (lo <= 2 && 2 <= hi) covered++
      }
      expect(covered / trials).toBeGreaterThan(0.88)
      expect(covered / trials).toBeLessThan(0.995)
    })

    it('handles one value and none', () => {
      expect(bootstrapQuantileCi([7])).toEqual([7, 7])
      expect(bootstrapQuantileCi([]).every(Number.isNaN)).toBe(true)
    })
  })

  describe('bootstrapChangeCi', () => {
    it('brackets a known 50% slowdown and excludes zero', () => {
      const a = latencies(3, 80, 2)
      const b = latencies(4, 80, 3)
      const ci = bootstrapChangeCi(a, b)!
      expect(ci[0]).toBeGreaterThan(0.3)
      expect(ci[1]).toBeLessThan(0.75)
      expect(ci[0]).toBeLessThan(0.5)
      expect(ci[1]).toBeGreaterThan(0.5)
    })

    it('contains zero for two draws of the same distribution', () => {
      const ci = bootstrapChangeCi(latencies(5, 80, 2), latencies(6, 80, 2))!
      expect(ci[0]).toBeLessThan(0)
      expect(ci[1]).toBeGreaterThan(0)
    })

    it('is null without data or when A is all zero', () => {
      expect(bootstrapChangeCi([], [1])).toBeNull()
      expect(bootstrapChangeCi([0, 0, 0], [1, 2, 3])).toBeNull()
    })
  })

  describe('mannWhitney', () => {
    it('matches scipy (asymptotic, continuity-corrected) on a textbook example with ties', () => {
      const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3]
      const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
      const r = mannWhitney(x, y)
      expect(r.u).toBe(58)
      expect(r.pValue).toBeCloseTo(0.13291945818531892, 5)
    })

    it('corrects for ties across samples like scipy', () => {
      const r = mannWhitney([1, 2, 2, 3, 3, 3, 4, 5], [3, 4, 4, 5, 5, 6, 7, 7, 8])
      expect(r.u).toBe(7.5)
      expect(r.pValue).toBeCloseTo(0.006373133838085873, 5)
    })

    it('gives the same answer from histogram-like groups as from raw values', () => {
      const a = [1, 1, 2, 2, 2, 3]
      const b = [2, 3, 3, 4]
      const grouped = mannWhitneyGrouped([
        { value: 1, a: 2, b: 0 },
        { value: 2, a: 3, b: 1 },
        { value: 3, a: 1, b: 2 },
        { value: 4, a: 0, b: 1 }
      ])
      expect(grouped).toEqual(mannWhitney(a, b))
    })

    it('finds a 20% shift with 100 samples and not a non-shift', () => {
      expect(mannWhitney(latencies(7, 100, 2), latencies(8, 100, 2.4)).pValue).toBeLessThan(0.01)
      expect(mannWhitney(latencies(9, 100, 2), latencies(10, 100, 2)).pValue).toBeGreaterThan(0.05)
    })

    it('keeps its false-positive rate near alpha over many null experiments', () => {
      let rejected = 0
      for (let t = 0; t < 300; t++) {
        if (mannWhitney(latencies(2000 + t, 40, 2), latencies(5000 + t, 40, 2)).pValue < 0.05)
          rejected++
      }
      expect(rejected / 300).toBeLessThan(0.09)
    })

    it('says nothing (p = 1) when a side is empty or everything ties', () => {
      expect(mannWhitney([], [1, 2]).pValue).toBe(1)
      expect(mannWhitney([3, 3], [3, 3, 3]).pValue).toBe(1)
    })
  })

  describe('tukeyFences', () => {
    it('counts mild and severe outliers on both sides', () => {
      const xs = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 30, 50, -20]
      const f = tukeyFences(xs)
      // q1 = 12, q3 = 18, IQR 6: mild above 27, severe above 36, severe below -6.
      expect([f.q1, f.q3]).toEqual([12, 18])
      expect(f.highMild).toBe(1)
      expect(f.highSevere).toBe(1)
      expect(f.lowSevere).toBe(1)
      expect(f.lowMild).toBe(0)
    })
  })

  describe('normalCdf / normalQuantile', () => {
    it('agree with tables and invert each other', () => {
      expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 6)
      expect(normalCdf(0)).toBeCloseTo(0.5, 7)
      expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 6)
      expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 6)
      for (const p of [0.01, 0.2, 0.5, 0.9, 0.999])
        expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6)
    })
  })

  describe('quantileRankInterval', () => {
    it('brackets the median rank and stays inside 1..n', () => {
      const [lo, hi] = quantileRankInterval(100, 0.5)
      expect(lo).toBeLessThan(50)
      expect(hi).toBeGreaterThan(50)
      expect(hi - lo).toBeLessThan(25)
      expect(quantileRankInterval(3, 0.99)).toEqual([2, 3])
    })
  })

  describe('thin', () => {
    it('keeps at most max values in their original order, reproducibly', () => {
      const xs = Array.from({ length: 1000 }, (_, i) => i)
      const kept = thin(xs, 100)
      expect(kept).toHaveLength(100)
      expect([...kept].sort((a, b) => a - b)).toEqual(kept)
      expect(thin(xs, 100)).toEqual(kept)
      expect(thin([1, 2], 100)).toEqual([1, 2])
    })
  })

  describe('summarizeSamples', () => {
    it('summarises skewed samples with a median CI and outlier counts', () => {
      const xs = [...latencies(11, 200, 1), 50, 60]
      const s = summarizeSamples(xs)
      expect(s.n).toBe(202)
      expect(s.median).toBeGreaterThan(0.9)
      expect(s.median).toBeLessThan(1.1)
      expect(s.medianCi95[0]).toBeLessThan(s.median)
      expect(s.medianCi95[1]).toBeGreaterThan(s.median)
      expect(s.p95).toBeGreaterThan(s.median)
      expect(s.max).toBe(60)
      expect(s.outliers.highSevere).toBeGreaterThanOrEqual(2)
    })
  })
})

describe('compare/stats (large samples)', () => {
  it('uses order statistics above 500 values: fast, and still brackets the median', () => {
    const rng = seededRandom(77)
    const xs = Array.from({ length: 30_000 }, () => Math.exp(rng() * 2))
    const [lo, hi] = bootstrapQuantileCi(xs)
    const m = median(xs)
    expect(lo).toBeLessThanOrEqual(m)
    expect(hi).toBeGreaterThanOrEqual(m)
    expect((hi - lo) / m).toBeLessThan(0.05)
    const ys = xs.map((x) => x * 2)
    const ci = bootstrapChangeCi(xs, ys)!
    expect(ci[0]).toBeLessThan(1)
    expect(ci[1]).toBeGreaterThan(1)
    expect(ci[0]).toBeGreaterThan(0.85)
  })
})
