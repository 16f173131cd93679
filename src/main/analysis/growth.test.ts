import { describe, expect, it } from 'vitest'
import { processSample } from '../../../test/helpers/sample'
import type { Sample } from '../../shared/sample'
import {
  growthOfPoints,
  growthPercent,
  levelWindow,
  median,
  pointsOf,
  robustBaseline,
  withinPercentOfBaseline
} from './growth'

function sample(t: number, rssBytes: number, pssBytes: number | null = null): Sample {
  return processSample(t, rssBytes, { pssBytes })
}

describe('analysis/growth', () => {
  describe('median', () => {
    it('returns the middle value for odd counts and the mean of the two middles for even', () => {
      expect(median([3, 1, 2])).toBe(2)
      expect(median([4, 1, 3, 2])).toBe(2.5)
      expect(median([])).toBeNull()
    })

    it('leaves the list it is given as it was', () => {
      const xs = [5, 3, 9, 1]
      median(xs)
      expect(xs).toEqual([5, 3, 9, 1])
    })
  })

  describe('robustBaseline', () => {
    it('ignores a single outlier', () => {
      expect(robustBaseline([100, 101, 5000, 99, 100])).toBe(100)
    })
  })

  describe('pointsOf', () => {
    it('skips null values and keeps time order', () => {
      const s = [sample(2000, 10, 5), sample(1000, 10, null), sample(3000, 10, 7)]
      expect(pointsOf(s, 'pssBytes')).toEqual([
        { t: 2000, v: 5 },
        { t: 3000, v: 7 }
      ])
    })
  })

  describe('levelWindow', () => {
    it('extends a window to three samples when the time window holds fewer', () => {
      const pts = [0, 1, 2, 3, 4].map((i) => ({ t: i * 1000, v: i }))
      expect(levelWindow(pts, 'first', 10)).toHaveLength(3)
      expect(levelWindow(pts, 'last', 10).map((p) => p.v)).toEqual([2, 3, 4])
    })
  })

  describe('growthPercent', () => {
    it('measures T220 growth between the first and last windows', () => {
      // 100 MB for 60 s, then 112 MB for 60 s (one-second samples).
      const s = Array.from({ length: 120 }, (_, i) => sample(i * 1000, i < 60 ? 100e6 : 112e6))
      const g = growthPercent(s, 'rssBytes')
      expect(g?.baselineBytes).toBe(100e6)
      expect(g?.finalBytes).toBe(112e6)
      expect(g?.growthPercent).toBeCloseTo(12)
    })

    it('uses explicit baseline and final ranges (T224 form)', () => {
      const s = Array.from({ length: 30 }, (_, i) =>
        sample(i * 1000, i < 10 ? 100e6 : i < 20 ? 150e6 : 110e6)
      )
      const g = growthPercent(s, 'rssBytes', {
        baseline: { from: 0, to: 9000 },
        final: { from: 20_000, to: 29_000 }
      })
      expect(g?.growthPercent).toBeCloseTo(10)
      expect(withinPercentOfBaseline(g, 15)).toBe(true)
      expect(withinPercentOfBaseline(g, 5)).toBe(false)
    })

    it('is null when a window is empty or the baseline is zero', () => {
      expect(growthPercent([], 'rssBytes')).toBeNull()
      expect(growthOfPoints([{ t: 0, v: 0 }])).toBeNull()
      expect(withinPercentOfBaseline(null, 15)).toBeNull()
    })
  })
})
