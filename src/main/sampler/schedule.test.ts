import { describe, expect, it } from 'vitest'
import {
  budgetedSpacing,
  cpuPercents,
  isDue,
  MAX_BUDGET_SPACING_MS,
  nextTick,
  smoothCost
} from './schedule'

describe('sampler/schedule', () => {
  describe('nextTick', () => {
    it('moves to the next tick when the sample finished in time', () => {
      expect(nextTick(3, 305, 100)).toBe(4)
    })

    it('skips every tick whose time passed during a slow sample', () => {
      expect(nextTick(3, 551, 100)).toBe(6)
    })

    it('never goes backwards, even if the clock reads early', () => {
      expect(nextTick(3, 120, 100)).toBe(4)
    })

    it('keeps tick times a whole multiple of the interval after an hour', () => {
      let k = 0
      for (let elapsed = 0; elapsed < 3_600_000; elapsed += 1000) k = nextTick(k, elapsed + 3, 1000)
      expect(k).toBe(3600)
    })
  })

  describe('isDue', () => {
    it('is due at the first tick and then every spacing, counted in whole ticks', () => {
      const due: number[] = []
      for (let k = 0; k < 25; k++) if (isDue(k, due.at(-1) ?? null, 100, 1000)) due.push(k)
      expect(due).toEqual([0, 10, 20])
    })

    it('is due at every tick when the interval exceeds the spacing', () => {
      expect(isDue(5, 4, 1500, 1000)).toBe(true)
    })
  })

  describe('budgetedSpacing', () => {
    it('keeps the minimum when the read is cheap or there is no budget', () => {
      expect(budgetedSpacing(1000, 0.5, 0.002)).toBe(1000)
      expect(budgetedSpacing(1000, null, 0.002)).toBe(1000)
      expect(budgetedSpacing(1000, 50, 0)).toBe(1000)
    })

    it('stretches a costly read so it stays within its share of a core', () => {
      expect(budgetedSpacing(1000, 6, 0.002)).toBe(3000)
    })

    it('caps the stretch, unless the minimum is longer', () => {
      expect(budgetedSpacing(1000, 500, 0.002)).toBe(MAX_BUDGET_SPACING_MS)
      expect(budgetedSpacing(30_000, 500, 0.002)).toBe(30_000)
    })
  })

  describe('smoothCost', () => {
    it('starts at the first measurement and moves 30% toward each new one', () => {
      expect(smoothCost(null, 10)).toBe(10)
      expect(smoothCost(10, 20)).toBe(13)
    })
  })

  describe('cpuPercents', () => {
    it('gives 100 for one core busy the whole time, split into user and system', () => {
      expect(
        cpuPercents(
          { monoMs: 0, userMs: 0, systemMs: 0 },
          { monoMs: 200, userMs: 150, systemMs: 50 }
        )
      ).toEqual({ cpuPercent: 100, cpuUserPercent: 75, cpuSystemPercent: 25 })
    })

    it('exceeds 100 for several busy cores', () => {
      expect(
        cpuPercents(
          { monoMs: 0, userMs: 0, systemMs: 0 },
          { monoMs: 100, userMs: 180, systemMs: 0 }
        )?.cpuPercent
      ).toBe(180)
    })

    it('returns null when no time passed', () => {
      const x = { monoMs: 5, userMs: 1, systemMs: 1 }
      expect(cpuPercents(x, x)).toBeNull()
    })
  })
})
