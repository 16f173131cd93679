import { describe, expect, it } from 'vitest'
import { bucketMeans, decimateMinMax, niceRange, type Point } from './series'

const line = (n: number, f: (i: number) => number): Point[] =>
  Array.from({ length: n }, (_, i) => [i * 100, f(i)] as const)

describe('report/series', () => {
  describe('decimateMinMax', () => {
    it('keeps a one-sample spike and the extremes when thinning 36,000 points to 2,000', () => {
      const pts = line(36_000, (i) => (i === 12_345 ? 999 : i === 30_000 ? -5 : Math.sin(i / 100)))
      const out = decimateMinMax(pts, 2000)
      expect(out.length).toBeLessThanOrEqual(2000)
      expect(out.map((p) => p[1])).toContain(999)
      expect(out.map((p) => p[1])).toContain(-5)
      expect(out.every((p, i) => i === 0 || p[0] >= out[i - 1]![0])).toBe(true)
    })

    it('returns a series that already fits unchanged', () => {
      const pts = line(10, (i) => i)
      expect(decimateMinMax(pts, 100)).toEqual(pts)
    })
  })

  describe('bucketMeans', () => {
    it('gives exactly the asked number of values and fills a gap by interpolation', () => {
      const pts: Point[] = [
        [0, 0],
        [10, 10],
        [90, 90],
        [100, 100]
      ]
      const out = bucketMeans(pts, 0, 100, 10)
      expect(out).toHaveLength(10)
      expect(out[0]).toBe(0)
      expect(out[1]).toBe(10)
      // Buckets 2..8 had no points: a straight line from bucket 1 (10) to bucket 9 (95).
      expect(out[5]).toBeCloseTo(52.5, 5)
      expect(out[9]).toBe(95)
    })

    it('is empty for a series without points', () => {
      expect(bucketMeans([], 0, 1, 100)).toEqual([])
    })
  })

  describe('niceRange', () => {
    it('rounds outward to steps of 1, 2, 2.5 or 5 times a power of ten', () => {
      expect(niceRange(173.2, 219.9, 5)).toEqual({ min: 170, max: 220, step: 10 })
    })

    it('opens a flat series into a range', () => {
      const r = niceRange(50, 50)
      expect(r.min).toBeLessThan(50)
      expect(r.max).toBeGreaterThan(50)
    })
  })
})
