import { describe, expect, it } from 'vitest'
import {
  budgetedSpacing,
  cpuPercents,
  isDue,
  defaultReadBudget,
  FAST_READ_BUDGET,
  MAX_BUDGET_SPACING_MS,
  nextTick,
  READ_BUDGET,
  sleepBefore,
  smoothCost,
  TIMER_SLACK_MS
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

  describe('sleepBefore', () => {
    it('sleeps until the tick', () => {
      expect(sleepBefore(1_100, 1_000)).toBe(100)
    })

    it('takes a tick at once when a timer woke within the slack before it (no second timer)', () => {
      expect(sleepBefore(1_100, 1_100 - TIMER_SLACK_MS)).toBe(0)
      expect(sleepBefore(1_100, 1_099.4)).toBe(0)
      expect(sleepBefore(1_100, 1_100 - TIMER_SLACK_MS - 0.5)).toBe(TIMER_SLACK_MS + 0.5)
    })

    it('takes a tick that is due or overdue at once', () => {
      expect(sleepBefore(1_100, 1_100)).toBe(0)
      expect(sleepBefore(1_100, 1_250)).toBe(0)
    })
  })

  describe('defaultReadBudget', () => {
    it('is 0.1% of a core per expensive read from 1 s: a 20 ms smaps_rollup every 20 s', () => {
      expect(defaultReadBudget(1000)).toBe(READ_BUDGET)
      expect(READ_BUDGET).toBe(0.001)
      expect(budgetedSpacing(1000, 0.5, READ_BUDGET)).toBe(1000)
      expect(budgetedSpacing(1000, 6, READ_BUDGET)).toBe(6000)
      expect(budgetedSpacing(1000, 20, READ_BUDGET)).toBe(20_000)
    })

    it('is half that below 1 s, capped at 30 s: a 20 ms smaps_rollup every 30 s at 10 Hz', () => {
      expect(defaultReadBudget(999)).toBe(FAST_READ_BUDGET)
      expect(defaultReadBudget(100)).toBe(0.0005)
      expect(budgetedSpacing(1000, 6, FAST_READ_BUDGET)).toBe(12_000)
      expect(budgetedSpacing(1000, 20, FAST_READ_BUDGET)).toBe(MAX_BUDGET_SPACING_MS)
      expect(MAX_BUDGET_SPACING_MS).toBe(30_000)
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
